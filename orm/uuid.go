package orm

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
	"unsafe"
)

// UUID is a universally unique identifier (RFC 9562). Its zero value is the
// nil UUID, which a UUID primary key treats as "not assigned yet".
//
// As a field it is a UUID column on PostgreSQL and, on SQLite, the
// canonical 36-character lowercase text ("0190a6c4-…"): readable in a
// database shell, and since the hex digits are lowercase and fixed-width,
// text order is byte order, so ordering and comparisons agree on both
// databases.
//
// A model field `ID orm.UUID` (or one tagged pk) is the primary key; Create
// and BulkCreate assign it a version 7 UUID (time-ordered, so new rows sort
// last and index inserts stay local) when it is zero. Foreign keys to such
// a model are orm.Ref[T, orm.UUID].
type UUID [16]byte

// NewUUIDv4 returns a random (version 4) UUID from crypto/rand.
func NewUUIDv4() UUID {
	var u UUID
	rand.Read(u[:]) // never fails (crypto/rand)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

var v7 struct {
	sync.Mutex
	last uint64 // last (milliseconds << 12 | counter) issued
}

// NewUUIDv7 returns a time-ordered (version 7) UUID: 48 bits of Unix
// milliseconds, then random bits from crypto/rand. UUIDs made by one
// process are strictly increasing: within a millisecond a 12-bit counter
// (rand_a) orders them. It is safe for concurrent use.
func NewUUIDv7() UUID {
	var u UUID
	rand.Read(u[:])
	ms := uint64(time.Now().UnixMilli())
	v7.Lock()
	seq := ms << 12
	if seq <= v7.last {
		seq = v7.last + 1 // same (or an earlier) millisecond: count on
	}
	v7.last = seq
	v7.Unlock()
	ms, counter := seq>>12, seq&0xfff
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(u[0:6], ts[2:8])
	u[6] = 0x70 | byte(counter>>8)
	u[7] = byte(counter)
	u[8] = u[8]&0x3f | 0x80
	return u
}

// ParseUUID reads the canonical form ("f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
// any case), also accepted in braces or with a "urn:uuid:" prefix, or 32 hex
// digits without hyphens.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	orig := s
	if len(s) == 45 && (s[:9] == "urn:uuid:" || s[:9] == "URN:UUID:") {
		s = s[9:]
	} else if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	var hexs [32]byte
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return u, fmt.Errorf("orm: invalid UUID %q", orig)
		}
		copy(hexs[0:8], s[0:8])
		copy(hexs[8:12], s[9:13])
		copy(hexs[12:16], s[14:18])
		copy(hexs[16:20], s[19:23])
		copy(hexs[20:32], s[24:36])
	case 32:
		copy(hexs[:], s)
	default:
		return u, fmt.Errorf("orm: invalid UUID %q (want 8-4-4-4-12 hex digits)", orig)
	}
	if _, err := hex.Decode(u[:], hexs[:]); err != nil {
		return UUID{}, fmt.Errorf("orm: invalid UUID %q (want 8-4-4-4-12 hex digits)", orig)
	}
	return u, nil
}

// MustUUID is ParseUUID for constants in code (generated migration files
// write UUID defaults with it); it panics on invalid text, so never pass it
// user input.
func MustUUID(s string) UUID {
	u, err := ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

// IsZero reports whether u is the nil UUID.
func (u UUID) IsZero() bool { return u == UUID{} }

// Version returns the version number in u (4, 7, …).
func (u UUID) Version() int { return int(u[6] >> 4) }

// String returns the canonical lowercase form.
func (u UUID) String() string {
	var b [36]byte
	u.appendTo(b[:0])
	return string(b[:])
}

func (u UUID) appendTo(b []byte) []byte {
	b = hex.AppendEncode(b, u[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, u[8:10])
	b = append(b, '-')
	return hex.AppendEncode(b, u[10:16])
}

// MarshalText returns the canonical form (so JSON has a string).
func (u UUID) MarshalText() ([]byte, error) { return u.appendTo(make([]byte, 0, 36)), nil }

// UnmarshalText parses any form ParseUUID accepts.
func (u *UUID) UnmarshalText(b []byte) error {
	v, err := ParseUUID(string(b))
	if err != nil {
		return err
	}
	*u = v
	return nil
}

// Scan reads a UUID column: the text form (PostgreSQL's uuid, SQLite's
// TEXT) or 16 raw bytes.
func (u *UUID) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return u.UnmarshalText([]byte(v))
	case []byte:
		if len(v) == 16 {
			copy(u[:], v)
			return nil
		}
		return u.UnmarshalText(v)
	case [16]byte:
		*u = v
		return nil
	case nil:
		return fmt.Errorf("orm: cannot read NULL into a UUID (use orm.Null[orm.UUID])")
	}
	return fmt.Errorf("orm: cannot read %T as a UUID", src)
}

// Value binds the canonical text form.
func (u UUID) Value() (driver.Value, error) { return u.String(), nil }

func (u UUID) bindValue() any { return u.String() }
func (UUID) kind() Kind       { return KindUUID }
func (UUID) accessors(mode fieldMode) (dest, arg func(unsafe.Pointer) any) {
	return ownAccessors[UUID](mode)
}
