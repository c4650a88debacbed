package core

// MaxQuantity bounds the seats of a per-seat subscription.
const MaxQuantity = 100_000

// billedSeats is how many seats a subscription of quantity pays for on
// plan: its quantity on a per-seat plan, one on any other.
func billedSeats(plan Plan, quantity int) int {
	if !plan.PerSeat {
		return 1
	}
	return max(quantity, 1)
}

// seatPrice is the price of one period of plan for quantity seats.
func seatPrice(plan Plan, quantity int) Money {
	return plan.Price.MulInt(int64(billedSeats(plan, quantity)))
}

// validQuantity reports a quantity outside 1..MaxQuantity under field.
func validQuantity(q int, field string, fe FieldErrors) {
	if q < 1 || q > MaxQuantity {
		fe.Add(field, "between 1 and 100000")
	}
}
