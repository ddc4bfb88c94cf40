package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openswf/openswf/internal/store"
)

func scanType(r pgx.Row) (*store.Type, error) {
	var ty store.Type
	var kind string
	if err := r.Scan(&ty.DomainID, &kind, &ty.Name, &ty.Version, &ty.Status, &ty.Description, &ty.CreatedAt, &ty.DeprecatedAt, &ty.Config); err != nil {
		return nil, err
	}
	ty.Kind = store.TypeKind(kind)
	ty.CreatedAt = ty.CreatedAt.UTC()
	ty.DeprecatedAt = utc(ty.DeprecatedAt)
	if ty.Config == nil {
		ty.Config = []byte{}
	}
	return &ty, nil
}

func scanTypeRow(r pgx.CollectableRow) (*store.Type, error) { return scanType(r) }

func typeKeyArgs(k store.TypeKey) []any {
	return []any{k.DomainID, string(k.Kind), k.Name, k.Version}
}

func (t *tx) TypeInsert(ctx context.Context, ty *store.Type) error {
	t.types = nil
	tag, err := t.exec(ctx, stmt("TypeInsert"),
		ty.DomainID, string(ty.Kind), ty.Name, ty.Version, ty.Status, ty.Description, ms(ty.CreatedAt), msPtr(ty.DeprecatedAt), blob(ty.Config))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return nil
}

// TypeGetAhead queues, in a write, reads of the types that go after the
// next statement, in its round trip (the type is then read as late as
// TypeGet would have read it: after that statement's locks are granted),
// for the TypeGet that follows. In a read it does nothing.
func (t *tx) TypeGetAhead(_ context.Context, keys []store.TypeKey) {
	if t.write {
		t.ahead = append(t.ahead, keys...)
	}
}

// readAhead queues after the statements of b the reads of the types asked
// for ahead; closing b's results reads them.
func (t *tx) readAhead(b *pgx.Batch) {
	for _, k := range t.ahead {
		b.Queue(stmt("TypeGet"), typeKeyArgs(k)...).Query(func(rows pgx.Rows) error {
			found, err := pgx.CollectRows(rows, scanTypeRow)
			if err != nil {
				return err
			}
			if t.types == nil {
				t.types = map[store.TypeKey]*store.Type{}
			}
			t.types[k] = nil
			if len(found) > 0 {
				t.types[k] = found[0]
			}
			return nil
		})
	}
	t.ahead = nil
}

// TypeGet returns a type; one that the write read ahead (and has not
// changed since) it has already.
func (t *tx) TypeGet(ctx context.Context, k store.TypeKey) (*store.Type, error) {
	if ty, ok := t.types[k]; ok {
		delete(t.types, k)
		if ty == nil {
			return nil, store.ErrNotFound
		}
		return ty, nil
	}
	ty, err := scanType(t.row(ctx, stmt("TypeGet"), typeKeyArgs(k)...))
	if err != nil {
		return nil, notFound(t.note(err))
	}
	return ty, nil
}

// TypeCount counts a domain's types of one kind; in a write, under a lock
// of that count.
func (t *tx) TypeCount(ctx context.Context, domainID int64, kind store.TypeKind) (int, error) {
	t.lock(ctx, false, lockTypes, domainID, string(kind))
	var n int
	err := t.queryRow(ctx, stmt("TypeCount"), []any{domainID, string(kind)}, &n)
	return n, err
}

func (t *tx) TypeList(ctx context.Context, p store.TypeListParams) ([]*store.Type, error) {
	dir, cmp := "ASC", ">"
	if p.Reverse {
		dir, cmp = "DESC", "<"
	}
	q := stmt("TypeList")
	args := []any{p.DomainID, string(p.Kind), p.Status, limit(p.Limit)}
	if p.Name != nil {
		args = append(args, *p.Name)
		q += " AND name = $" + strconv.Itoa(len(args))
	}
	if p.AfterName != nil {
		args = append(args, *p.AfterName, p.AfterVersion)
		q += fmt.Sprintf(" AND (name, version) %s ($%d, $%d)", cmp, len(args)-1, len(args))
	}
	q += " ORDER BY name " + dir + ", version " + dir + " LIMIT $4"
	return queryAll(ctx, t, q, args, scanTypeRow)
}

func (t *tx) TypeSetStatus(ctx context.Context, k store.TypeKey, c store.StatusChange) error {
	if err := t.alone(); err != nil {
		return err
	}
	t.types = nil
	return t.later(ctx, stmt("TypeSetStatus"),
		append(typeKeyArgs(k), c.Status, msPtr(c.DeprecatedAt))...)
}

func (t *tx) TypeDeprecateAll(ctx context.Context, domainID int64, at time.Time) error {
	if err := t.alone(); err != nil {
		return err
	}
	t.types = nil
	return t.later(ctx, stmt("TypeDeprecateAll"),
		domainID, store.StatusDeprecated, ms(at), store.StatusRegistered)
}

func (t *tx) TypeDelete(ctx context.Context, k store.TypeKey) error {
	t.types = nil
	tag, err := t.exec(ctx, stmt("TypeDelete"), typeKeyArgs(k)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}
