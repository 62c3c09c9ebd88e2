package session

import (
	"context"
	"errors"
	"time"

	"github.com/anode-go/anode/orm"
)

// Row is the database store's model: one row per session, in the table
// anode_session of the contrib module "sessions". Its migrations are in
// session/migrations.
type Row struct {
	SessionKey string    `anode:"pk,max=64"`
	Data       string    // the encoded session (JSON)
	Expiry     time.Time `anode:"index"`
	UserID     string    `anode:"max=64,index"` // "" for anonymous sessions
}

// Meta names the table as Django users know it.
func (Row) Meta() orm.Meta {
	return orm.Meta{Table: "anode_session", VerboseName: "session"}
}

// ModuleName is the name of the contrib module that holds Row.
const ModuleName = "sessions"

// DBStore keeps sessions in the database: the default store. Expired rows
// stay until ClearExpired (the clearsessions command) removes them; Load
// never returns them. It is safe for concurrent use.
type DBStore struct {
	db  *orm.DB
	now func() time.Time
}

var _ Store = (*DBStore)(nil)

// NewDBStore returns a store over db, whose registry must hold Row (install
// the sessions module).
func NewDBStore(db *orm.DB) *DBStore { return &DBStore{db: db, now: time.Now} }

// Load returns the live session under key.
func (s *DBStore) Load(ctx context.Context, key string) (Entry, error) {
	r, err := orm.From[Row](s.db).Filter("session_key", key).Filter("expiry__gt", s.now()).Get(ctx)
	if errors.Is(err, orm.ErrNotFound) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, err
	}
	return Entry{Data: []byte(r.Data), Expiry: r.Expiry, UserID: r.UserID}, nil
}

// Save writes the row for key, creating it if needed.
func (s *DBStore) Save(ctx context.Context, key string, e Entry) error {
	return orm.Save(ctx, s.db, &Row{SessionKey: key, Data: string(e.Data), Expiry: e.Expiry.UTC(), UserID: e.UserID})
}

// Delete removes the row for key.
func (s *DBStore) Delete(ctx context.Context, key string) error {
	_, err := orm.From[Row](s.db).Filter("session_key", key).Delete(ctx)
	return err
}

// DeleteUser removes the rows of userID except exceptKey's.
func (s *DBStore) DeleteUser(ctx context.Context, userID, exceptKey string) error {
	q := orm.From[Row](s.db).Filter("user_id", userID)
	if exceptKey != "" {
		q = q.Exclude("session_key", exceptKey)
	}
	_, err := q.Delete(ctx)
	return err
}

// ClearExpired deletes the expired rows and returns how many it deleted.
func (s *DBStore) ClearExpired(ctx context.Context) (int64, error) {
	return orm.From[Row](s.db).Filter("expiry__lte", s.now()).Delete(ctx)
}
