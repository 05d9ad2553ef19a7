package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/haven-project/haven/internal/store"
)

// The tip store. Times are written as Unix seconds at a whole hour, UTC
// (store.Hour), and read back as time.Time in UTC; the schema's CHECKs
// refuse anything finer. Writes go through the write pool, one transaction
// each; durability is the backend's (synchronous FULL on SQLite,
// synchronous_commit on PostgreSQL).

var _ store.TipStore = (*Store)(nil)

// CreateTip stores t and its attachments in one transaction; see
// store.TipStore. The SQLite backend queues tips to a TipBatcher instead,
// which calls the same insertTip.
func (s *Store) CreateTip(ctx context.Context, t store.NewTip) (int64, error) {
	const op = "create tip"
	if err := ctx.Err(); err != nil {
		return 0, s.errorf(op, err)
	}
	if err := checkNewTip(t); err != nil {
		return 0, s.errorf(op, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.errorf(op, err)
	}
	defer rollback(tx)
	id, err := s.insertTip(ctx, tx, t)
	if err != nil {
		return 0, s.errorf(op, s.conflict(err))
	}
	if err := tx.Commit(); err != nil {
		return 0, s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return id, nil
}

// checkNewTip refuses what CreateTip must not store.
func checkNewTip(t store.NewTip) error {
	if len(t.ReceiptHash) != store.ReceiptHashSize {
		return fmt.Errorf("receipt hash of %d bytes, want %d: %w", len(t.ReceiptHash), store.ReceiptHashSize, store.ErrInvalid)
	}
	if err := store.CheckRecipient(t.ReplyRecipient); err != nil {
		return fmt.Errorf("reply recipient: %w", err)
	}
	if len(t.Sealed) == 0 {
		return fmt.Errorf("empty sealed tip: %w", store.ErrInvalid)
	}
	for i, a := range t.Attachments {
		if len(a.Sealed) == 0 {
			return fmt.Errorf("attachment %d: empty sealed file: %w", i, store.ErrInvalid)
		}
	}
	return checkNow(t.Now)
}

// checkNow refuses a zero time: a caller that forgot to set it.
func checkNow(now time.Time) error {
	if now.IsZero() {
		return fmt.Errorf("zero time: %w", store.ErrInvalid)
	}
	return nil
}

// insertTip writes a checked tip and its attachments in tx. A receipt hash
// already stored returns an error wrapping store.ErrConflict. It is found
// by ON CONFLICT DO NOTHING rather than by a failed INSERT, which
// PostgreSQL would log with the hash and which would abort its
// transaction; a race that slips past it still fails on the unique index.
func (s *Store) insertTip(ctx context.Context, tx *sql.Tx, t store.NewTip) (int64, error) {
	size := int64(len(t.Sealed))
	for _, a := range t.Attachments {
		size += int64(len(a.Sealed))
	}
	hour := store.Hour(t.Now).Unix()
	var id int64
	err := tx.QueryRowContext(ctx, s.rebind(`INSERT INTO tips
	(receipt_hash, reply_recipient, status, assignee, created, updated, size, attachments, sealed)
VALUES (?, ?, ?, '', ?, ?, ?, ?, ?) ON CONFLICT (receipt_hash) DO NOTHING RETURNING id`),
		t.ReceiptHash, t.ReplyRecipient, string(store.TipNew), hour, hour, size, len(t.Attachments), t.Sealed).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("a tip with that receipt already exists: %w", store.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("insert tip: %w", err)
	}
	for i, a := range t.Attachments {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO tip_attachments (tip_id, sealed) VALUES (?, ?)`), id, a.Sealed); err != nil {
			return 0, fmt.Errorf("insert attachment %d: %w", i, err)
		}
	}
	return id, nil
}

// tipColumns are the columns scanTip reads, of tips t.
const tipColumns = `t.id, t.created, t.updated, t.status, t.assignee, t.size, t.reply_recipient, t.sealed, t.attachments`

type scanner interface{ Scan(dest ...any) error }

func scanTip(r scanner) (store.Tip, error) {
	var t store.Tip
	var created, updated int64
	var status string
	if err := r.Scan(&t.ID, &created, &updated, &status, &t.Assignee, &t.Size, &t.ReplyRecipient, &t.Sealed, &t.Attachments); err != nil {
		return store.Tip{}, err
	}
	t.Created, t.Updated, t.Status = unixHour(created), unixHour(updated), store.TipStatus(status)
	return t, nil
}

// unixHour turns a stored time into a time.Time in UTC.
func unixHour(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// TipByReceipt returns the tip with the receipt hash; see store.TipStore.
func (s *Store) TipByReceipt(ctx context.Context, hash []byte) (store.Tip, error) {
	const op = "tip by receipt"
	if len(hash) != store.ReceiptHashSize {
		return store.Tip{}, s.errorf(op, fmt.Errorf("receipt hash of %d bytes, want %d: %w", len(hash), store.ReceiptHashSize, store.ErrInvalid))
	}
	// The hash is not quoted in errors: it is what finds a tipster's tip.
	return s.tipWhere(ctx, op, `t.receipt_hash = ?`, hash, "no tip with that receipt")
}

// Tip returns the tip with the id; ErrNotFound when none.
func (s *Store) Tip(ctx context.Context, id int64) (store.Tip, error) {
	return s.tipWhere(ctx, "tip", `t.id = ?`, id, fmt.Sprintf("tip %d", id))
}

func (s *Store) tipWhere(ctx context.Context, op, cond string, arg any, what string) (store.Tip, error) {
	tx, err := s.readTx(ctx)
	if err != nil {
		return store.Tip{}, s.errorf(op, err)
	}
	defer rollback(tx)
	t, err := scanTip(tx.QueryRowContext(ctx, s.rebind(`SELECT `+tipColumns+` FROM tips t WHERE `+cond), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Tip{}, s.errorf(op, fmt.Errorf("%s: %w", what, store.ErrNotFound))
	}
	if err != nil {
		return store.Tip{}, s.errorf(op, err)
	}
	return t, nil
}

// ListTips returns a page of tips, newest first; see store.TipStore.
func (s *Store) ListTips(ctx context.Context, f store.TipFilter) ([]store.Tip, int, error) {
	const op = "list tips"
	limit, err := checkPaging(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	var conds []string
	var args []any
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, 0, s.errorf(op, fmt.Errorf("status %q: %w", f.Status, store.ErrInvalid))
		}
		conds, args = append(conds, `t.status = ?`), append(args, string(f.Status))
	}
	if !f.UpdatedBefore.IsZero() {
		conds, args = append(conds, `t.updated < ?`), append(args, cutoff(f.UpdatedBefore))
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	defer rollback(tx)
	var total int
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT count(*) FROM tips t`+where), args...).Scan(&total); err != nil {
		return nil, 0, s.errorf(op, fmt.Errorf("count: %w", err))
	}
	if f.Offset >= total {
		return nil, total, nil
	}
	var tips []store.Tip
	err = s.eachRow(ctx, tx, `SELECT `+tipColumns+` FROM tips t`+where+` ORDER BY t.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, f.Offset), func(r *sql.Rows) error {
			t, err := scanTip(r)
			if err != nil {
				return err
			}
			tips = append(tips, t)
			return nil
		})
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	return tips, total, nil
}

// Attachments returns a tip's attachments in the order they were given.
func (s *Store) Attachments(ctx context.Context, tipID int64) ([]store.Attachment, error) {
	const op = "attachments"
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	defer rollback(tx)
	// The rows are read before the tip is looked for, so that rows a tip
	// left behind would show rather than hide behind ErrNotFound.
	var as []store.Attachment
	err = s.eachRow(ctx, tx, `SELECT id, tip_id, sealed FROM tip_attachments WHERE tip_id = ? ORDER BY id`, []any{tipID},
		func(r *sql.Rows) error {
			var a store.Attachment
			if err := r.Scan(&a.ID, &a.TipID, &a.Sealed); err != nil {
				return err
			}
			a.Size = int64(len(a.Sealed))
			as = append(as, a)
			return nil
		})
	if err != nil {
		return nil, s.errorf(op, err)
	}
	if len(as) == 0 {
		if err := s.tipExists(ctx, tx, tipID); err != nil {
			return nil, s.errorf(op, err)
		}
	}
	return as, nil
}

// tipExists returns an error wrapping ErrNotFound when there is no tip
// with the id.
func (s *Store) tipExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, s.rebind(`SELECT 1 FROM tips WHERE id = ?`), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("tip %d: %w", id, store.ErrNotFound)
	}
	return err
}

// AddTipMessage stores a message about a tip and moves the tip's Updated
// forward; see store.TipStore.
func (s *Store) AddTipMessage(ctx context.Context, tipID int64, author string, sealed []byte, now time.Time) (int64, error) {
	const op = "add tip message"
	if author != store.AuthorTipster && author != store.AuthorOperator {
		return 0, s.errorf(op, fmt.Errorf("author %q, want %q or %q: %w", author, store.AuthorTipster, store.AuthorOperator, store.ErrInvalid))
	}
	if len(sealed) == 0 {
		return 0, s.errorf(op, fmt.Errorf("empty sealed message: %w", store.ErrInvalid))
	}
	if err := checkNow(now); err != nil {
		return 0, s.errorf(op, err)
	}
	hour := store.Hour(now).Unix()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.errorf(op, err)
	}
	defer rollback(tx)
	if err := s.touchTip(ctx, tx, tipID, hour, ""); err != nil {
		return 0, s.errorf(op, err)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, s.rebind(`INSERT INTO tip_messages (tip_id, author, created, sealed) VALUES (?, ?, ?, ?) RETURNING id`),
		tipID, author, hour, sealed).Scan(&id); err != nil {
		return 0, s.errorf(op, s.invalid(fmt.Errorf("insert message: %w", err)))
	}
	if err := tx.Commit(); err != nil {
		return 0, s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return id, nil
}

// touchTip moves a tip's updated hour forward to hour (never back), and
// runs set (", status = ?, assignee = ?" with args) in the same statement.
// It returns ErrNotFound when there is no tip with the id.
func (s *Store) touchTip(ctx context.Context, tx *sql.Tx, id, hour int64, set string, args ...any) error {
	all := append([]any{hour, hour}, args...)
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE tips SET updated = CASE WHEN updated < ? THEN ? ELSE updated END`+set+` WHERE id = ?`),
		append(all, id)...)
	if err != nil {
		return s.invalid(fmt.Errorf("update tip: %w", err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update tip: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("tip %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// TipMessages returns a tip's messages, oldest first.
func (s *Store) TipMessages(ctx context.Context, tipID int64) ([]store.TipMessage, error) {
	const op = "tip messages"
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	defer rollback(tx)
	var ms []store.TipMessage
	err = s.eachRow(ctx, tx, `SELECT id, tip_id, author, created, sealed FROM tip_messages WHERE tip_id = ? ORDER BY id`, []any{tipID},
		func(r *sql.Rows) error {
			var m store.TipMessage
			var created int64
			if err := r.Scan(&m.ID, &m.TipID, &m.Author, &created, &m.Sealed); err != nil {
				return err
			}
			m.Created = unixHour(created)
			ms = append(ms, m)
			return nil
		})
	if err != nil {
		return nil, s.errorf(op, err)
	}
	if len(ms) == 0 {
		if err := s.tipExists(ctx, tx, tipID); err != nil {
			return nil, s.errorf(op, err)
		}
	}
	return ms, nil
}

// SetTipStatus sets a tip's status and assignee; see store.TipStore.
func (s *Store) SetTipStatus(ctx context.Context, id int64, status store.TipStatus, assignee string, now time.Time) error {
	const op = "set tip status"
	if !status.Valid() {
		return s.errorf(op, fmt.Errorf("status %q: %w", status, store.ErrInvalid))
	}
	if err := checkNow(now); err != nil {
		return s.errorf(op, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.errorf(op, err)
	}
	defer rollback(tx)
	if assignee != "" {
		var one int
		err := tx.QueryRowContext(ctx, s.rebind(`SELECT 1 FROM operators WHERE name = ?`), assignee).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return s.errorf(op, fmt.Errorf("assignee %q is not an operator: %w", assignee, store.ErrInvalid))
		}
		if err != nil {
			return s.errorf(op, err)
		}
	}
	if err := s.touchTip(ctx, tx, id, store.Hour(now).Unix(), `, status = ?, assignee = ?`, string(status), assignee); err != nil {
		return s.errorf(op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// PurgeTips deletes the tips last updated before before, their messages
// and attachments going with them (ON DELETE CASCADE), and records the
// purge in tip_purges in the same transaction (see store.TipStore).
//
// What "gone" means differs by backend. SQLite (secure_delete ON)
// overwrites the deleted rows with zeros as it deletes them; its backend
// then empties the WAL (see package sqlite). PostgreSQL only marks the rows
// dead: their bytes stay in the table's pages until VACUUM prunes them and
// new rows overwrite the space, and VACUUM FULL (which rewrites the tables
// into new files, taking an exclusive lock) is what removes them from the
// table files at once; the WAL keeps them until its segments are recycled
// after a checkpoint, and backups and replicas keep their own copies.
// VACUUM cannot run inside a transaction, so it is not run here: the
// operator's autovacuum, or a scheduled VACUUM, does it.
func (s *Store) PurgeTips(ctx context.Context, before time.Time, kind store.PurgeKind, now time.Time) (int, error) {
	const op = "purge tips"
	if !kind.Valid() {
		return 0, s.errorf(op, fmt.Errorf("kind %q, want %q or %q: %w", kind, store.PurgeManual, store.PurgeAutomatic, store.ErrInvalid))
	}
	if err := checkNow(now); err != nil {
		return 0, s.errorf(op, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.errorf(op, err)
	}
	defer rollback(tx)
	res, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM tips WHERE updated < ?`), cutoff(before))
	if err != nil {
		return 0, s.errorf(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.errorf(op, err)
	}
	if n > 0 || kind == store.PurgeManual {
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO tip_purges (hour, tips, kind) VALUES (?, ?, ?)`),
			store.Hour(now).Unix(), n, string(kind)); err != nil {
			return 0, s.errorf(op, s.invalid(fmt.Errorf("record the purge: %w", err)))
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return int(n), nil
}

// cutoff is the stored hour a tip's updated must be below to be older than
// before. Stored hours are whole seconds: updated < before exactly when
// updated < before rounded up to the second.
func cutoff(before time.Time) int64 {
	c := before.Unix()
	if before.Nanosecond() > 0 {
		c++
	}
	return c
}

// Purges returns a page of the recorded purges, newest first.
func (s *Store) Purges(ctx context.Context, limit, offset int) ([]store.Purge, int, error) {
	const op = "purges"
	limit, err := checkPaging(limit, offset)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	defer rollback(tx)
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tip_purges`).Scan(&total); err != nil {
		return nil, 0, s.errorf(op, fmt.Errorf("count: %w", err))
	}
	if offset >= total {
		return nil, total, nil
	}
	var ps []store.Purge
	err = s.eachRow(ctx, tx, `SELECT id, hour, tips, kind FROM tip_purges ORDER BY id DESC LIMIT ? OFFSET ?`, []any{limit, offset},
		func(r *sql.Rows) error {
			var p store.Purge
			var hour int64
			var kind string
			if err := r.Scan(&p.ID, &hour, &p.Tips, &kind); err != nil {
				return err
			}
			p.Hour, p.Kind = unixHour(hour), store.PurgeKind(kind)
			ps = append(ps, p)
			return nil
		})
	if err != nil {
		return nil, 0, s.errorf(op, err)
	}
	return ps, total, nil
}

// TipBytes returns the bytes of ciphertext stored from Hour(since) on; see
// store.TipStore.
//
// It is asked before every tip and message a budget limits, so it must stay
// cheap however many tips are kept. Neither tips.created nor
// tip_messages.created has an index, but tips.updated has one, and a tip's
// updated is never before its created or before the hour of any of its
// messages (both only move it forward). So the tips created since the hour
// are among those updated since then, and the messages written since then
// are about those tips: both sums read only the rows of recent tips through
// tips_updated, then each tip's messages through tip_messages_tip.
// length of a BLOB (SQLite) or bytea (PostgreSQL) is its size in bytes, read
// from the record's header or the TOAST pointer without loading the value.
func (s *Store) TipBytes(ctx context.Context, since time.Time) (int64, error) {
	const op = "tip bytes"
	if err := checkNow(since); err != nil {
		return 0, s.errorf(op, err)
	}
	hour := store.Hour(since).Unix()
	tx, err := s.readTx(ctx)
	if err != nil {
		return 0, s.errorf(op, err)
	}
	defer rollback(tx)
	var tipBytes, msgBytes int64
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT CAST(coalesce(sum(t.size), 0) AS BIGINT) FROM tips t
WHERE t.updated >= ? AND t.created >= ?`), hour, hour).Scan(&tipBytes); err != nil {
		return 0, s.errorf(op, fmt.Errorf("tips: %w", err))
	}
	if err := tx.QueryRowContext(ctx, s.rebind(`SELECT CAST(coalesce(sum(length(m.sealed)), 0) AS BIGINT)
FROM tips t JOIN tip_messages m ON m.tip_id = t.id WHERE t.updated >= ? AND m.created >= ?`), hour, hour).Scan(&msgBytes); err != nil {
		return 0, s.errorf(op, fmt.Errorf("messages: %w", err))
	}
	return tipBytes + msgBytes, nil
}

// AddOperator adds an active operator; see store.TipStore.
func (s *Store) AddOperator(ctx context.Context, name, recipient string, now time.Time) (store.Operator, error) {
	const op = "add operator"
	if err := store.CheckOperatorName(name); err != nil {
		return store.Operator{}, s.errorf(op, err)
	}
	if err := store.CheckRecipient(recipient); err != nil {
		return store.Operator{}, s.errorf(op, err)
	}
	if err := checkNow(now); err != nil {
		return store.Operator{}, s.errorf(op, err)
	}
	o := store.Operator{Name: name, Recipient: recipient, Active: true, Created: store.Hour(now)}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return store.Operator{}, s.errorf(op, err)
	}
	defer rollback(tx)
	err = tx.QueryRowContext(ctx, s.rebind(`INSERT INTO operators (name, recipient, active, created) VALUES (?, ?, ?, ?)
ON CONFLICT (name) DO NOTHING RETURNING id`),
		o.Name, o.Recipient, o.Active, o.Created.Unix()).Scan(&o.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Operator{}, s.errorf(op, fmt.Errorf("operator %q already exists: %w", name, store.ErrConflict))
	}
	if err != nil {
		return store.Operator{}, s.errorf(op, fmt.Errorf("operator %q: %w", name, s.conflict(err)))
	}
	if err := tx.Commit(); err != nil {
		return store.Operator{}, s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return o, nil
}

// Operators returns every operator in the order they were added.
func (s *Store) Operators(ctx context.Context) ([]store.Operator, error) {
	const op = "operators"
	tx, err := s.readTx(ctx)
	if err != nil {
		return nil, s.errorf(op, err)
	}
	defer rollback(tx)
	var ops []store.Operator
	err = s.eachRow(ctx, tx, `SELECT id, name, recipient, active, created FROM operators ORDER BY id`, nil, func(r *sql.Rows) error {
		var o store.Operator
		var created int64
		if err := r.Scan(&o.ID, &o.Name, &o.Recipient, &o.Active, &created); err != nil {
			return err
		}
		o.Created = unixHour(created)
		ops = append(ops, o)
		return nil
	})
	if err != nil {
		return nil, s.errorf(op, err)
	}
	return ops, nil
}

// SetOperatorActive activates or deactivates an operator; ErrNotFound when
// there is none with the name.
func (s *Store) SetOperatorActive(ctx context.Context, name string, active bool) error {
	const op = "set operator active"
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.errorf(op, err)
	}
	defer rollback(tx)
	res, err := tx.ExecContext(ctx, s.rebind(`UPDATE operators SET active = ? WHERE name = ?`), active, name)
	if err != nil {
		return s.errorf(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.errorf(op, err)
	}
	if n == 0 {
		return s.errorf(op, fmt.Errorf("operator %q: %w", name, store.ErrNotFound))
	}
	if err := tx.Commit(); err != nil {
		return s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// SetRecoveryRecipient sets the recovery public key, replacing any other.
func (s *Store) SetRecoveryRecipient(ctx context.Context, recipient string, now time.Time) error {
	const op = "set recovery recipient"
	if err := store.CheckRecipient(recipient); err != nil {
		return s.errorf(op, err)
	}
	if err := checkNow(now); err != nil {
		return s.errorf(op, err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.errorf(op, err)
	}
	defer rollback(tx)
	if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO recovery (id, recipient, updated) VALUES (1, ?, ?)
ON CONFLICT (id) DO UPDATE SET recipient = excluded.recipient, updated = excluded.updated`),
		recipient, store.Hour(now).Unix()); err != nil {
		return s.errorf(op, s.invalid(err))
	}
	if err := tx.Commit(); err != nil {
		return s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// RecoveryRecipient returns the recovery public key; ErrNotFound before
// one is set.
func (s *Store) RecoveryRecipient(ctx context.Context) (string, error) {
	const op = "recovery recipient"
	tx, err := s.readTx(ctx)
	if err != nil {
		return "", s.errorf(op, err)
	}
	defer rollback(tx)
	var r string
	err = tx.QueryRowContext(ctx, `SELECT recipient FROM recovery WHERE id = 1`).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", s.errorf(op, fmt.Errorf("no recovery recipient set: %w", store.ErrNotFound))
	}
	if err != nil {
		return "", s.errorf(op, err)
	}
	return r, nil
}

// RedeemToken records a used form token, after deleting the records that
// have expired; see store.TipStore. Its conflict is found by ON CONFLICT
// DO NOTHING, as CreateTip's is, not by a failed INSERT.
func (s *Store) RedeemToken(ctx context.Context, id []byte, expires, now time.Time) error {
	const op = "redeem token"
	if len(id) != store.TokenIDSize {
		return s.errorf(op, fmt.Errorf("token id of %d bytes, want %d: %w", len(id), store.TokenIDSize, store.ErrInvalid))
	}
	if err := checkNow(now); err != nil {
		return s.errorf(op, err)
	}
	until := store.HourUp(expires)
	if !until.After(now) {
		return s.errorf(op, fmt.Errorf("expiry %v is not after %v: %w", until, now.UTC(), store.ErrInvalid))
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.errorf(op, err)
	}
	defer rollback(tx)
	if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM redeemed_tokens WHERE expires <= ?`), now.Unix()); err != nil {
		return s.errorf(op, fmt.Errorf("delete expired: %w", err))
	}
	res, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO redeemed_tokens (id, expires) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`),
		id, until.Unix())
	if err != nil {
		return s.errorf(op, s.conflict(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.errorf(op, err)
	}
	if n == 0 {
		// The id is not quoted: errors may be logged.
		return s.errorf(op, fmt.Errorf("the token was redeemed already: %w", store.ErrConflict))
	}
	if err := tx.Commit(); err != nil {
		return s.errorf(op, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// conflict marks unique violations as store.ErrConflict and other
// constraint violations as store.ErrInvalid, keeping the driver error in
// the chain.
func (s *Store) conflict(err error) error {
	if err != nil && s.d.IsUnique != nil && s.d.IsUnique(err) && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return s.invalid(err)
}
