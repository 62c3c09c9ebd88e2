// Package mail sends email: a [Message] (addresses, subject, a text body, an
// optional HTML alternative, attachments, extra headers) goes through a
// [Mailer] to a [Backend].
//
// # Backends
//
//   - [Console] writes each complete message to a writer: the default in
//     debug, so password-reset links show up in the terminal.
//   - [SMTP] delivers through a server, with STARTTLS or implicit TLS and
//     authentication, over github.com/wneessen/go-mail.
//   - [Outbox] keeps messages in memory for tests to inspect, like Django's
//     mail.outbox; anodetest uses it by default.
//
// [ParseURL] turns ANODE_EMAIL_URL (console://, memory://, smtp://...,
// smtps://...) into a backend; App.Mailer returns the configured Mailer.
//
// # Safety
//
// Every backend validates every message before sending any: each address
// must parse as RFC 5322 ([*AddressError]), and no header name or value,
// subject or attachment name may contain CR, LF or NUL, so text a user typed
// can never add a header or a recipient ([*HeaderError]). Fields the Message
// sets itself (From, To, Subject, Content-Type, ...) cannot be overridden
// through Headers. Delivery failures are [*SendError]s.
//
// # Contexts
//
// Send takes a context first and returns when it ends: the SMTP backend
// closes its connection at once, so a server that accepts and never answers
// holds a request no longer than its deadline.
//
// # Templates
//
// Bodies are strings; render them with the app's templates first
// (render.Engine.Execute into a strings.Builder), text and HTML from two
// files. docs/mail.md has the pattern.
package mail
