package polls

import "github.com/anode-go/anode"

// routes are Django's tutorial URLs, plus the staff page that creates polls
// and a JSON endpoint. Names start with the module's name ("polls-detail"),
// as the tutorial's do; templates reverse them with {{url "polls-detail" .ID}}.
func routes(r *anode.Router) {
	r.Get("/", home).Name("home") // the site's root goes to the polls
	r.Get("/polls/", index).Name("polls-index")
	r.Get("/polls/{id}/", detail).Name("polls-detail")
	r.Post("/polls/{id}/vote/", vote).Name("polls-vote")
	r.Get("/polls/{id}/results/", results).Name("polls-results")
	r.Get("/api/polls/{id}/results/", resultsJSON).Name("polls-api-results")

	staff := r.With(requireStaff)
	staff.Get("/polls/new/", newPoll).Name("polls-new")
	staff.Post("/polls/new/", newPoll)
}
