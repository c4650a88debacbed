package core

// Defect names a money defect that was fixed. Plant re-creates it on one
// service, so that the simulator can prove it finds such a defect: a
// simulator that cannot find a planted bug proves nothing. Production code
// never plants anything.
type Defect string

const (
	// DefectCustomerRefunds lets a subscription's owner refund its own payments.
	DefectCustomerRefunds Defect = "customer_refunds"
	// DefectTopUpRefundKeepsCredit refunds a top-up without taking its credit back.
	DefectTopUpRefundKeepsCredit Defect = "topup_refund_keeps_credit"
	// DefectRefundNotReserved records a refund only after the gateway answers,
	// so two overlapping refunds can together exceed the payment.
	DefectRefundNotReserved Defect = "refund_not_reserved"
	// DefectPauseBillsPausedTime resumes without moving the period out, so the
	// paused months are charged.
	DefectPauseBillsPausedTime Defect = "pause_bills_paused_time"
	// DefectUnpaidUpgradeApplies switches an immediate upgrade before its
	// proration is paid.
	DefectUnpaidUpgradeApplies Defect = "unpaid_upgrade_applies"
	// DefectCardTrialKeepsSingleUseToken keeps a card trial's single-use token
	// for the charge at the trial's end.
	DefectCardTrialKeepsSingleUseToken Defect = "card_trial_keeps_single_use_token"
	// DefectDashboardRefundDeduped drops a second partial refund made at
	// Midtrans as a duplicate notification.
	DefectDashboardRefundDeduped Defect = "dashboard_refund_deduped"
	// DefectNativeAmountStale leaves Midtrans charging the old amount after
	// a change that moves the next invoice's total.
	DefectNativeAmountStale Defect = "native_amount_stale"
	// DefectCreditNoteTwice credits a refund again each time it is learnt
	// (its notification replayed, a refund check finding it).
	DefectCreditNoteTwice Defect = "credit_note_twice"
)

// AllDefects lists every defect Plant knows.
var AllDefects = []Defect{DefectCustomerRefunds, DefectTopUpRefundKeepsCredit, DefectRefundNotReserved,
	DefectPauseBillsPausedTime, DefectUnpaidUpgradeApplies, DefectCardTrialKeepsSingleUseToken,
	DefectDashboardRefundDeduped, DefectNativeAmountStale, DefectCreditNoteTwice}

// Plant re-creates the given fixed defects on this service (simulator
// self-tests only). Call it before the service is used.
func (s *Service) Plant(ds ...Defect) {
	if s.defects == nil {
		s.defects = map[Defect]bool{}
	}
	for _, d := range ds {
		s.defects[d] = true
	}
}

// planted reports whether d was planted on this service.
func (s *Service) planted(d Defect) bool { return s.defects[d] }
