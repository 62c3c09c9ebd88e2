package anode

import (
	"fmt"
	"net/http"
	"strconv"
)

// PathInt returns the path wildcard name of r (as r.PathValue) as an int64.
// A value that is not made of decimal digits (no sign), or does not fit,
// makes the URL one no route answers, as Django's <int:id> converter does:
// the error renders as 404 Not Found. Declare the wildcard in the pattern ("GET /polls/{id}/").
//
//	id, err := anode.PathInt(r, "id")
//	if err != nil {
//		return err
//	}
//	q, err := orm.From[Question](db).Filter("ID", id).Get(r.Context())
func PathInt(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || v[0] == '+' || v[0] == '-' {
		return 0, NewError(http.StatusNotFound, "", fmt.Errorf("anode: path value %s=%q is not an integer", name, v))
	}
	return n, nil
}
