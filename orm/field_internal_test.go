package orm

import "testing"

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"ID": "id", "PubDate": "pub_date", "QuestionID": "question_id", "HTTPStatus": "http_status",
		"URLPath": "url_path", "Votes": "votes", "IPv4Addr": "i_pv4_addr", "Choice2Text": "choice2_text",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
