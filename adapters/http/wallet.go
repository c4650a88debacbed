package http

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

type walletJSON struct {
	ID        string    `json:"id"`
	Balance   string    `json:"balance" oa:"ref=Money"`
	Currency  string    `json:"currency"`
	IsActive  bool      `json:"is_active"`
	AutoPay   bool      `json:"auto_pay"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toWalletJSON(w core.Wallet) walletJSON {
	cur := string(w.Balance.Currency())
	if cur == "" {
		cur = string(core.IDR)
	}
	return walletJSON{ID: w.ID, Balance: money(w.Balance), Currency: cur, IsActive: w.IsActive, AutoPay: w.AutoPay,
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
}

type walletEntryJSON struct {
	ID            string    `json:"id"`
	WalletID      string    `json:"wallet_id"`
	Type          string    `json:"type" oa:"enum=entry_type"`
	Amount        string    `json:"amount" oa:"ref=Money"`
	BalanceAfter  string    `json:"balance_after" oa:"ref=Money"`
	ReferenceType string    `json:"reference_type"`
	ReferenceID   string    `json:"reference_id"`
	Description   string    `json:"description"`
	CreatedAt     time.Time `json:"created_at"`
}

func toWalletEntryJSON(e core.WalletEntry) walletEntryJSON {
	return walletEntryJSON{ID: e.ID, WalletID: e.WalletID, Type: string(e.Type), Amount: money(e.Amount),
		BalanceAfter: money(e.BalanceAfter), ReferenceType: e.ReferenceType, ReferenceID: e.ReferenceID,
		Description: e.Description, CreatedAt: e.CreatedAt}
}

// getWallet answers the signed-in user's wallet, creating it on first use.
func (s *Server) getWallet(c *fiber.Ctx) error {
	w, err := s.svc.GetWallet(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(toWalletJSON(w))
}

type walletPatchRequest struct {
	AutoPay *bool `json:"auto_pay" validate:"required"`
}

// patchWallet turns auto-pay of renewals from the wallet on or off.
func (s *Server) patchWallet(c *fiber.Ctx) error {
	var req walletPatchRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	w, err := s.svc.SetAutoPay(c.UserContext(), actor(c), *req.AutoPay)
	if err != nil {
		return err
	}
	return c.JSON(toWalletJSON(w))
}

var entryTypes = []string{
	string(core.EntryTopUp), string(core.EntrySubscriptionPayment), string(core.EntryRefund),
	string(core.EntryAdjustment), string(core.EntryReversal),
}

func (s *Server) listWalletEntries(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "type", "ordering")
	if err != nil {
		return err
	}
	if err := checkChoice("type", q.Get("type"), entryTypes); err != nil {
		return err
	}
	list, err := s.svc.ListWalletEntries(c.UserContext(), actor(c), q.Get("type"), q.Get("ordering"))
	if err != nil {
		return err
	}
	items := paginate(list, q)
	out := make([]walletEntryJSON, len(items))
	for i, e := range items {
		out[i] = toWalletEntryJSON(e)
	}
	return c.JSON(newPage(c, q, len(list), out))
}

// adjustRequest is an admin correction: a signed whole-rupiah amount
// (number or string) and a required reason, kept in the ledger.
type adjustRequest struct {
	Amount *amount `json:"amount" oa:"ref=WholeRupiahInput,required,nonnull"`
	Reason string  `json:"reason" validate:"required,max=500"`
}

func (s *Server) adjustWallet(c *fiber.Ctx) error {
	id, err := pathID(c, "wallet")
	if err != nil {
		return err
	}
	var req adjustRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if req.Amount == nil {
		return invalid("invalid input", map[string]string{"amount": "required"})
	}
	m, err := parseRupiah("amount", *req.Amount, true)
	if err != nil {
		return err
	}
	e, err := s.svc.AdjustWallet(c.UserContext(), actor(c), id, m, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toWalletEntryJSON(e))
}

// checkLedgers verifies every wallet's balance against its entries.
func (s *Server) checkLedgers(c *fiber.Ctx) error {
	problems, n, err := s.svc.CheckLedgers(c.UserContext())
	if err != nil {
		return err
	}
	if problems == nil {
		problems = []core.LedgerProblem{}
	}
	return c.JSON(ledgerCheckJSON{Wallets: n, Problems: problems})
}

type ledgerCheckJSON struct {
	Wallets  int                  `json:"wallets" oa:"minimum=0" doc:"Wallets checked"`
	Problems []core.LedgerProblem `json:"problems"`
}
