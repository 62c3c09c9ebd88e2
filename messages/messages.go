// Package messages shows one-time notifications ("flash messages") to the
// user on the next page they see, as Django's messages framework does: a
// handler adds a message, typically before redirecting after a POST, and the
// page rendered next shows it once.
//
//	func create(w http.ResponseWriter, r *http.Request) error {
//		// ... save the poll
//		messages.Success(r, "Poll created")
//		http.Redirect(w, r, "/polls/", http.StatusSeeOther)
//		return nil
//	}
//
// The template engine reads them with FromRequest, which marks them as shown,
// so the response clears them.
//
// # Levels and tags
//
// Every message has a Level (LevelDebug, LevelInfo, LevelSuccess,
// LevelWarning, LevelError, or any other integer) whose tag ("success") is
// meant as a CSS class; extra tags are added before it. Messages below the
// minimum level (LevelInfo unless Options.Level or SetLevel says otherwise)
// are dropped when added.
//
// # Storage
//
// Middleware keeps the messages of a request and hands them to a Store when
// the response starts. Until sessions exist the Store is a CookieStore: the
// messages are JSON in a cookie signed with HMAC-SHA256 (a key derived from
// the App's SecretKey), so a client can read but not forge them. A cookie is
// small, so when the messages would not fit in CookieStore.MaxSize the
// oldest are dropped and the newest kept.
//
// The middleware is lazy: a request that never adds or reads messages never
// parses the cookie and never sets it. Because a cookie travels in the
// response headers, messages must be added and read before the handler
// starts writing the response; render buffers a page before writing it, so
// reading messages in a template is in time.
package messages

import (
	"context"
	"errors"
	"net/http"
	"strconv"
)

// Level is a message's importance; higher is more important. The named
// levels are Django's values, so other integers can sit between them.
type Level int

// Levels.
const (
	LevelDebug   Level = 10
	LevelInfo    Level = 20
	LevelSuccess Level = 25
	LevelWarning Level = 30
	LevelError   Level = 40
)

// defaultTags are the levels' tags when Options.Tags does not name them.
var defaultTags = map[Level]string{
	LevelDebug:   "debug",
	LevelInfo:    "info",
	LevelSuccess: "success",
	LevelWarning: "warning",
	LevelError:   "error",
}

// String returns the level's default tag ("success"), or its number for
// another level.
func (l Level) String() string {
	if t, ok := defaultTags[l]; ok {
		return t
	}
	return strconv.Itoa(int(l))
}

// Message is one notification.
type Message struct {
	// Level is the message's importance.
	Level Level
	// Text is the message shown to the user. It is plain text: templates
	// escape it like any other string.
	Text string
	// Extra holds extra tags, space-separated ("fade sticky"), for the
	// template to use as CSS classes.
	Extra string

	levelTag string // the level's tag under the middleware's Options, set by FromRequest
}

// String returns the message's text, so {{.}} in a template shows it.
func (m Message) String() string { return m.Text }

// LevelTag returns the tag of the message's level: "success" for
// LevelSuccess unless Options.Tags renamed it, "" for a level without a tag.
func (m Message) LevelTag() string {
	if m.levelTag != "" {
		return m.levelTag
	}
	return defaultTags[m.Level]
}

// Tags returns the extra tags followed by the level's tag, space-separated
// ("fade success"): the class attribute a template gives the message.
func (m Message) Tags() string {
	switch lt := m.LevelTag(); {
	case m.Extra == "":
		return lt
	case lt == "":
		return m.Extra
	default:
		return m.Extra + " " + lt
	}
}

// ErrNotInstalled is returned by Add when the request did not pass through
// Middleware (an App installs it by default).
var ErrNotInstalled = errors.New("messages: the messages middleware is not installed")

// Add queues a message with level and text for the next page the client
// sees; extra tags are joined with spaces into Message.Extra. A message
// below the minimum level is dropped (nil error). It returns
// ErrNotInstalled when r did not pass through Middleware.
func Add(r *http.Request, level Level, text string, extraTags ...string) error {
	st := stateFrom(r.Context())
	if st == nil {
		return ErrNotInstalled
	}
	m := Message{Level: level, Text: text}
	for i, t := range extraTags {
		if i > 0 {
			m.Extra += " "
		}
		m.Extra += t
	}
	st.add(m)
	return nil
}

// Debug adds a message at LevelDebug (dropped unless the minimum level is
// lowered). Like the other level functions it ignores ErrNotInstalled; use
// Add to see it.
func Debug(r *http.Request, text string, extraTags ...string) {
	Add(r, LevelDebug, text, extraTags...)
}

// Info adds a message at LevelInfo.
func Info(r *http.Request, text string, extraTags ...string) {
	Add(r, LevelInfo, text, extraTags...)
}

// Success adds a message at LevelSuccess.
func Success(r *http.Request, text string, extraTags ...string) {
	Add(r, LevelSuccess, text, extraTags...)
}

// Warning adds a message at LevelWarning.
func Warning(r *http.Request, text string, extraTags ...string) {
	Add(r, LevelWarning, text, extraTags...)
}

// Error adds a message at LevelError.
func Error(r *http.Request, text string, extraTags ...string) {
	Add(r, LevelError, text, extraTags...)
}

// FromRequest returns the request's messages — those stored by earlier
// responses, then those added during this request — and marks them as
// shown, so the response removes them from the store. Messages added after
// the call are kept for the next response. It returns nil when there are
// none or r did not pass through Middleware, and never fails: a store that
// cannot be read (a tampered cookie) counts as empty.
//
// The template engine calls it once per rendered page.
func FromRequest(r *http.Request) []Message {
	return FromContext(r.Context())
}

// FromContext is FromRequest for a request's context.
func FromContext(ctx context.Context) []Message {
	st := stateFrom(ctx)
	if st == nil {
		return nil
	}
	return st.consume()
}

// SetLevel changes the minimum level for the rest of the request: messages
// added below it are dropped. It does nothing outside Middleware.
func SetLevel(r *http.Request, level Level) {
	if st := stateFrom(r.Context()); st != nil {
		st.mu.Lock()
		st.level = level
		st.mu.Unlock()
	}
}
