package summer

import (
	"context"
	"math"
	"time"
)

// Impl is a hand-written implementation of the Server interface (in a real
// service this lives next to the generated code, not in it).
type Impl struct {
	Now       func() time.Time
	Published func(ctx context.Context, total int64) // optional hook
}

// Sum implements Server.
func (s *Impl) Sum(ctx context.Context, in *SumIn) (*SumOut, error) {
	if len(in.Numbers) == 0 {
		return nil, &EmptyError{}
	}
	var total int64
	for _, n := range in.Numbers {
		if (n > 0 && total > math.MaxInt64-n) || (n < 0 && total < math.MinInt64-n) {
			if in.Mode == ModeSaturating {
				if n > 0 {
					total = math.MaxInt64
				} else {
					total = math.MinInt64
				}
				continue
			}
			return nil, &OverflowError{Partial: total}
		}
		total += n
	}
	if s.Published != nil {
		s.Published(ctx, total)
	}
	return &SumOut{Total: total, At: s.Now()}, nil
}
