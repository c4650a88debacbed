package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/langganan/langganan/adapters/bolt"
)

// checkCmd verifies the data file and prints a report: indexes (every
// index entry matches its record, both ways; this covers invoice
// uniqueness, which the store enforces through unique indexes), wallet
// ledgers (balance = Σ entries, running sums never negative). Problems
// make it fail, so the exit status is non-zero.
func checkCmd(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	a, err := openApp(ctx, cfg)
	if errors.Is(err, bolt.ErrLocked) {
		return fmt.Errorf("check: %w\n  stop the service, or check a copy: server backup -url ... -o COPY && server check -data COPY", err)
	}
	if err != nil {
		return err
	}
	defer a.store.Close()
	if err := a.newService(cfg, nil); err != nil {
		return err
	}

	p := newProgress(stderr, 2, "check", false)
	indexErr := a.store.Check(ctx)
	p.Add(1)
	ledgers, wallets, ledgerErr := a.svc.CheckLedgers(ctx)
	p.Add(1)
	p.Finish()

	var report strings.Builder
	problems := 0
	fmt.Fprintf(&report, "check of %s\n", storeDescription(cfg))
	var indexProblems []string
	if indexErr != nil {
		for _, line := range strings.Split(indexErr.Error(), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				indexProblems = append(indexProblems, line)
			}
		}
	}
	problems += len(indexProblems)
	line := func(ok bool, what, detail string) {
		mark := "ok  "
		if !ok {
			mark = "FAIL"
		}
		fmt.Fprintf(&report, "  %s %-20s %s\n", mark, what, detail)
	}
	line(len(indexProblems) == 0, "indexes", plural(len(indexProblems), "problem"))
	for _, l := range indexProblems {
		fmt.Fprintf(&report, "         - %s\n", l)
	}
	invoiceProblems := 0
	for _, l := range indexProblems {
		if strings.Contains(strings.ToLower(l), "invoice") {
			invoiceProblems++
		}
	}
	line(invoiceProblems == 0, "invoice uniqueness", "enforced by the unique (subscription, key) and number indexes; "+plural(invoiceProblems, "invoice index problem"))
	switch {
	case ledgerErr != nil:
		problems++
		line(false, "wallet ledgers", "could not be read: "+ledgerErr.Error())
	default:
		problems += len(ledgers)
		line(len(ledgers) == 0, "wallet ledgers", fmt.Sprintf("%s checked, %s", plural(wallets, "wallet"), plural(len(ledgers), "problem")))
		for _, lp := range ledgers {
			fmt.Fprintf(&report, "         - wallet %s: balance %s, ledger %s: %s\n", lp.WalletID, lp.Balance, lp.Ledger, lp.Detail)
		}
	}
	if problems == 0 {
		report.WriteString("no problems found\n")
	}
	if _, err := io.WriteString(stdout, report.String()); err != nil {
		return err
	}
	if problems > 0 {
		return fmt.Errorf("check found %s", plural(problems, "problem"))
	}
	return nil
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
