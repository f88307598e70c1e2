"""Customer portal: a signed, expiring link per customer to its own open invoices."""
