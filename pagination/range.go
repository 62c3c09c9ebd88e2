package pagination

// Link is one entry of a page range: a page number or an ellipsis.
type Link struct {
	// Number is the page's number; 0 for an ellipsis.
	Number int
	// Current marks the page being shown.
	Current bool
}

// Ellipsis reports whether the link stands for omitted pages ("…").
func (l Link) Ellipsis() bool { return l.Number == 0 }

// elidedRange lists pages 1 to last around number: all of them when few,
// else onEnds pages at each end, onEachSide around number, and an ellipsis
// for each gap of more than one page.
func elidedRange(number, last, onEachSide, onEnds int) []Link {
	var out []Link
	add := func(from, to int) {
		for n := from; n <= to; n++ {
			out = append(out, Link{Number: n, Current: n == number})
		}
	}
	if last <= (onEachSide+onEnds)*2 {
		add(1, last)
		return out
	}
	if number > 1+onEachSide+onEnds+1 {
		add(1, onEnds)
		out = append(out, Link{})
		add(number-onEachSide, number)
	} else {
		add(1, number)
	}
	if number < last-onEachSide-onEnds-1 {
		add(number+1, number+onEachSide)
		out = append(out, Link{})
		add(last-onEnds+1, last)
	} else {
		add(number+1, last)
	}
	return out
}
