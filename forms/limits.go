package forms

// Limits bound what Bind reads from a request. The zero value of each field
// means its default; a body over a limit is refused as a whole with a
// *RequestError, before any form field is set.
type Limits struct {
	// MaxFields is the most non-file fields a body may carry (default 1,000).
	MaxFields int
	// MaxFiles is the most files a multipart body may carry (default 100).
	MaxFiles int
	// MaxBytes is the most bytes of body read (default 10 MiB). The route's
	// own body limit (ANODE_MAX_BODY_BYTES, Route.MaxBody) applies too.
	MaxBytes int64
	// MaxFileBytes is the most bytes of one file (default MaxBytes); a
	// larger file is a "file_too_large" error on its field, not a refused
	// body. A field's maxsize= option may set a lower limit.
	MaxFileBytes int64
	// MaxMemory is how many bytes of uploads are kept in memory (default
	// 1 MiB); the rest go to temporary files.
	MaxMemory int64
}

// Defaults of Limits.
const (
	DefaultMaxFields = 1000
	DefaultMaxFiles  = 100
	DefaultMaxBytes  = 10 << 20
	DefaultMaxMemory = 1 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxFields <= 0 {
		l.MaxFields = DefaultMaxFields
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxFileBytes <= 0 || l.MaxFileBytes > l.MaxBytes {
		l.MaxFileBytes = l.MaxBytes
	}
	if l.MaxMemory <= 0 {
		l.MaxMemory = DefaultMaxMemory
	}
	return l
}
