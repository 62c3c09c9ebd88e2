package messages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"

	"github.com/anode-go/anode/internal/requestinfo"
	"github.com/anode-go/anode/internal/signing"
)

// DefaultCookieName is the cookie a CookieStore uses unless told otherwise.
const DefaultCookieName = "messages"

// DefaultMaxCookieSize bounds a CookieStore's cookie value, in bytes, unless
// told otherwise: with the name and attributes it stays well under the 4096
// bytes browsers keep per cookie.
const DefaultMaxCookieSize = 2048

// ErrInvalidCookie is returned by CookieStore.Load for a cookie that is too
// large, carries a bad signature or does not decode.
var ErrInvalidCookie = errors.New("messages: invalid messages cookie")

// CookieStore keeps messages in a cookie signed with HMAC-SHA256: the client
// holds them and can read them, but cannot forge or change them. The cookie is
// HttpOnly, SameSite=Lax, Path=/, Secure on HTTPS requests (or always, with
// Secure), and lasts for the browser session.
//
// A cookie is small: when the messages to keep would make the value longer
// than MaxSize, the oldest are dropped until the newest fit (and the drop is
// logged at debug level). A larger incoming cookie is refused unread.
//
// Build one with NewCookieStore; set the fields before use. It is safe for
// concurrent use.
type CookieStore struct {
	// Name is the cookie's name; empty means DefaultCookieName.
	Name string
	// MaxSize bounds the cookie's value in bytes; zero means
	// DefaultMaxCookieSize.
	MaxSize int
	// Secure marks the cookie Secure on every request, not only on those
	// that arrived over TLS (set it behind a TLS-terminating proxy).
	Secure bool
	// Logger receives debug lines about dropped messages; nil discards them.
	Logger *slog.Logger

	signer *signing.Signer
}

var _ Store = (*CookieStore)(nil)

// NewCookieStore returns a CookieStore signing with key, which should be
// derived from the application's secret for this purpose alone (the App
// does this), accepting cookies signed with any of fallbacks (keys derived
// from earlier secrets). It panics on an empty key.
func NewCookieStore(key []byte, fallbacks ...[]byte) *CookieStore {
	return &CookieStore{signer: signing.New(key, fallbacks...)}
}

// wireMessage is a message as the cookie stores it.
type wireMessage struct {
	L Level  `json:"l"`
	T string `json:"t"`
	X string `json:"x,omitempty"`
}

func (s *CookieStore) name() string {
	if s.Name == "" {
		return DefaultCookieName
	}
	return s.Name
}

func (s *CookieStore) maxSize() int {
	if s.MaxSize <= 0 {
		return DefaultMaxCookieSize
	}
	return s.MaxSize
}

// Load reads and verifies the cookie: no cookie is no messages, and a cookie
// that is too large, tampered with or malformed is ErrInvalidCookie.
func (s *CookieStore) Load(ctx context.Context, r *http.Request) ([]Message, error) {
	c, err := r.Cookie(s.name())
	if err != nil {
		return nil, nil // http.ErrNoCookie
	}
	if len(c.Value) > s.maxSize() {
		return nil, fmt.Errorf("%w: %d bytes, over the %d-byte limit", ErrInvalidCookie, len(c.Value), s.maxSize())
	}
	payload, err := s.signer.Unsign(c.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCookie, err)
	}
	var wire []wireMessage
	if err := json.Unmarshal(payload, &wire); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCookie, err)
	}
	msgs := make([]Message, len(wire))
	for i, m := range wire {
		msgs[i] = Message{Level: m.L, Text: m.T, Extra: m.X}
	}
	return msgs, nil
}

// Save sets the cookie to msgs, dropping the oldest that do not fit, or
// deletes it when msgs is empty (and the request carried one).
func (s *CookieStore) Save(ctx context.Context, w http.ResponseWriter, r *http.Request, msgs []Message) error {
	c := &http.Cookie{
		Name:     s.name(),
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
		Secure:   s.Secure || requestinfo.Secure(r),
	}
	if len(msgs) > 0 {
		// The value only shrinks as older messages are dropped: find the
		// fewest drops that fit.
		values := make(map[int]string)
		encode := func(from int) string {
			v, ok := values[from]
			if !ok {
				v = s.encode(msgs[from:])
				values[from] = v
			}
			return v
		}
		from := sort.Search(len(msgs), func(i int) bool { return len(encode(i)) <= s.maxSize() })
		if from > 0 && s.Logger != nil {
			s.Logger.DebugContext(ctx, "messages: cookie full, oldest messages dropped", "dropped", from, "kept", len(msgs)-from)
		}
		if from < len(msgs) {
			c.Value = encode(from)
			http.SetCookie(w, c)
			return nil
		}
	}
	if _, err := r.Cookie(c.Name); err == nil {
		c.MaxAge = -1
		http.SetCookie(w, c)
	}
	return nil
}

func (s *CookieStore) encode(msgs []Message) string {
	wire := make([]wireMessage, len(msgs))
	for i, m := range msgs {
		wire[i] = wireMessage{L: m.Level, T: m.Text, X: m.Extra}
	}
	b, _ := json.Marshal(wire) // strings and integers only: cannot fail
	return s.signer.Sign(b)
}
