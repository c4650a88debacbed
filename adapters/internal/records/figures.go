package records

import (
	"time"

	"github.com/langganan/langganan/core"
)

// The record of one day's figures (core.DailyFigures), keyed by its day.

type figuresRec struct {
	V              int                     `json:"v"`
	Day            string                  `json:",omitzero"`
	SnapshotAt     time.Time               `json:",omitzero"`
	MRR            map[core.Currency]money `json:",omitzero"`
	Subscribers    int                     `json:",omitzero"`
	Churned        int                     `json:",omitzero"`
	FailedPayments int                     `json:",omitzero"`
	UpdatedAt      time.Time               `json:",omitzero"`
}

func FiguresToRecord(f *core.DailyFigures) any {
	r := &figuresRec{V: recordV, Day: f.Day, SnapshotAt: UTC(f.SnapshotAt), Subscribers: f.Subscribers,
		Churned: f.Churned, FailedPayments: f.FailedPayments, UpdatedAt: UTC(f.UpdatedAt)}
	if len(f.MRR) > 0 {
		r.MRR = make(map[core.Currency]money, len(f.MRR))
		for c, m := range f.MRR {
			r.MRR[c] = money(m)
		}
	}
	return r
}

func FiguresFromRecord(b []byte) (core.DailyFigures, error) {
	r, err := decodeRec(b, func(r *figuresRec) int { return r.V })
	f := core.DailyFigures{Day: r.Day, SnapshotAt: r.SnapshotAt, Subscribers: r.Subscribers, Churned: r.Churned,
		FailedPayments: r.FailedPayments, UpdatedAt: r.UpdatedAt}
	if len(r.MRR) > 0 {
		f.MRR = make(map[core.Currency]core.Money, len(r.MRR))
		for c, m := range r.MRR {
			f.MRR[c] = core.Money(m)
		}
	}
	return f, err
}
