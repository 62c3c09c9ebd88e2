package mail_test

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"strings"
)

func decoder(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(cte) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}
