-- The bulk of the web bench's casework, written set-wise (the services would take an hour at
-- this size): every board gets many pages and every worklist filter keeps thousands of customers.
-- Statements end with ';' at the end of a line; :user is the bench's signed-in user.

UPDATE customers SET segment = (ARRAY['PME', 'ETI', 'GE', 'Public'])[1 + id % 4];
-- risk classes at two dates (the latest on or before the view date counts)
INSERT INTO risk_scores (customer_pk, as_of, score, segment, reasons, recommended_credit_limit_cents, computed_at)
 SELECT id, d, (id * 7) % 100, (ARRAY['A', 'B', 'C', 'D'])[1 + (id * 7 + m) % 4], '[]', 0, now()
 FROM customers, (VALUES (DATE '2026-09-30', 0), (DATE '2026-10-31', 1)) AS days(d, m)
 WHERE m = 0 OR id % 10 <> 0;
-- two dunning runs: a step reached by 60 % of the customers, a later one by a third of them
INSERT INTO dunning_runs (as_of, actor, started_at, actions)
 VALUES ('2026-10-01', 'bench', now(), 0), ('2026-10-31', 'bench', now(), 0);
INSERT INTO dunning_actions (run_id, as_of, customer_pk, customer_id, scenario, step, channel, template, language, status, invoice_ids, entry_keys, amount_cents, currency, created_at, sent_at, attempts)
 SELECT r.id, r.as_of, c.id, c.customer_id, 'default_fr_b2b', CASE WHEN r.as_of = DATE '2026-10-01' THEN (ARRAY['courtesy', 'reminder'])[1 + c.id % 2] ELSE (ARRAY['firm_reminder', 'phone_call', 'formal_notice'])[1 + c.id % 3] END, 'email', 'reminder', 'fr', 'sent', '[]', '[]', 10000, 'EUR', now(), now(), 1
 FROM customers c CROSS JOIN dunning_runs r
 WHERE (r.as_of = DATE '2026-10-01' AND c.id % 5 < 3) OR (r.as_of = DATE '2026-10-31' AND c.id % 3 = 0);
-- disputes on the invoices the accounts flag as disputed: two thirds open
INSERT INTO disputes (customer_pk, entry_id, reason, status, resolution, opened_on, opened_at, opened_by)
 SELECT customer_pk, id, 'bench', CASE WHEN id % 3 = 0 THEN 'resolved' ELSE 'open' END, CASE WHEN id % 3 = 0 THEN 'credit note' END, DATE '2026-10-01', now(), 'bench'
 FROM entries
 WHERE disputed AND kind = 'invoice'
 ORDER BY id LIMIT 15000;
-- promises on one invoice each (open, kept and broken), plans of three instalments
INSERT INTO promises (customer_pk, amount_cents, currency, made_on, promised_date, grace_days, honour_by, status, note, created_at, created_by)
 SELECT customer_pk, amount_cents, currency, DATE '2026-10-15', DATE '2026-11-15', 3, DATE '2026-11-18', (ARRAY['open', 'open', 'kept', 'broken'])[1 + id % 4], '', now(), 'bench'
 FROM entries
 WHERE kind = 'invoice' AND id % 97 = 1
 ORDER BY id LIMIT 10000;
INSERT INTO promise_entries (promise_id, entry_id)
 SELECT p.id, MIN(e.id)
 FROM promises p
 JOIN entries e ON e.customer_pk = p.customer_pk AND e.kind = 'invoice' AND e.amount_cents = p.amount_cents
 WHERE p.created_by = 'bench'
 GROUP BY p.id;
INSERT INTO payment_plans (customer_pk, currency, total_cents, start_date, grace_days, status, note, created_at, created_by)
 SELECT customer_pk, currency, amount_cents, DATE '2026-10-01', 3, (ARRAY['active', 'active', 'completed', 'broken'])[1 + id % 4], '', now(), 'bench'
 FROM entries
 WHERE kind = 'invoice' AND id % 89 = 2
 ORDER BY id LIMIT 3000;
INSERT INTO plan_instalments (plan_id, seq, due_date, amount_cents, status)
 SELECT p.id, n, DATE '2026-10-01' + 30 * n, p.total_cents / 3, CASE WHEN n = 1 THEN 'kept' ELSE 'pending' END
 FROM payment_plans p, generate_series(1, 3) AS n;
-- customers handed over to litigation or an agency (they leave the worklist)
INSERT INTO customer_holds (customer_pk, kind, reason, start_date, created_at, created_by)
 SELECT id, (ARRAY['litigation', 'agency'])[1 + id % 2], 'bench', DATE '2026-09-01' + id % 60, now(), 'bench'
 FROM customers
 WHERE id % 97 = 5;
-- the bench user's task queue: late, due today and later
INSERT INTO tasks (customer_pk, kind, title, due_date, assignee, status, source, entry_keys, created_at, created_by)
 SELECT id, 'call', 'call back', DATE '2026-10-31' + (id % 21) - 10, :user, 'open', 'manual', '[]', now(), 'bench'
 FROM customers
 WHERE id % 25 = 3;
