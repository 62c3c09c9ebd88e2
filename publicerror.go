package anode

import "errors"

// PublicError is implemented by errors that carry a message safe to show any
// client, so leaf packages can say why a request was refused without
// importing anode (forms.RequestError: "The form has too many fields: the
// limit is 1000."). The error renderer shows it for an error in the chain
// that has no *Error message; it never replaces an *Error's own message.
type PublicError interface {
	error
	PublicMessage() string
}

// publicMessage returns the first public message in err's chain, or "".
func publicMessage(err error) string {
	var pe PublicError
	if errors.As(err, &pe) {
		return pe.PublicMessage()
	}
	return ""
}
