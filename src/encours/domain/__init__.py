"""Pure domain core: values and rules of accounts receivable, no I/O."""
