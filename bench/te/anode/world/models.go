package world

import "github.com/anode-go/anode/orm"

// World is one row of the TechEmpower World table (10,000 rows).
type World struct {
	ID           int64 `json:"id"`
	RandomNumber int64 `json:"randomNumber" anode:"column=randomnumber"`
}

// Meta names the table the suite shares with the other contestants.
func (World) Meta() orm.Meta { return orm.Meta{Table: "world"} }

// Fortune is one row of the TechEmpower Fortune table.
type Fortune struct {
	ID      int64
	Message string
}

// Meta names the table the suite shares with the other contestants.
func (Fortune) Meta() orm.Meta { return orm.Meta{Table: "fortune"} }
