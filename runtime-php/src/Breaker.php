<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The circuit breaker of one dependency (docs/protocol.md section 6.1), its state in a Store
 * under `breaker:<dependency>` so that every php-fpm worker of the host shares it: closed with a
 * sliding window of buckets, open for a while, then half-open with a few probes. allow() returns
 * a ticket (null: rejected) that record() takes back; outcomes of calls allowed before the
 * latest state change are dropped.
 */
final class Breaker
{
    /** Seconds a breaker's state is kept after its last use. */
    public const TTL_SECONDS = 600;

    private readonly string $key;

    public function __construct(
        private readonly Store $store,
        string $dependency,
        private readonly Clock $clock = new SystemClock(),
        private readonly BreakerConfig $config = new BreakerConfig(),
        private readonly ?\Closure $onChange = null,
    ) {
        $this->key = "breaker:{$dependency}";
    }

    /** The current state (an expired open state reads as half-open). */
    public function state(): BreakerState
    {
        $s = self::load($this->store->get($this->key));
        $this->advance($s, $this->nowMs());
        return BreakerState::from($s['s']);
    }

    /** Permission for one call: a ticket for record(), or null when the call must not be sent. */
    public function allow(): ?int
    {
        if ($this->config->disabled) {
            return 0;
        }
        return $this->update(function (array $s, int $now): array {
            if ($s['s'] === BreakerState::Open->value) {
                return [$s, null];
            }
            if ($s['s'] === BreakerState::HalfOpen->value) {
                if ($s['p'] >= $this->config->halfOpenProbes) {
                    return [$s, null];
                }
                $s['p']++;
            }
            return [$s, $s['g']];
        });
    }

    /** Records the outcome of a call allowed with `$ticket`. */
    public function record(int $ticket, Outcome $o): void
    {
        if ($this->config->disabled) {
            return;
        }
        $this->update(function (array $s, int $now) use ($ticket, $o): array {
            if ($ticket !== $s['g']) {
                return [$s, null];
            }
            if ($s['s'] === BreakerState::HalfOpen->value) {
                if ($o === Outcome::Failure) {
                    $this->change($s, BreakerState::Open, $now);
                } elseif ($o === Outcome::Success) {
                    $s['k']++;
                    if ($s['k'] >= $this->config->halfOpenProbes) {
                        $this->change($s, BreakerState::Closed, $now);
                    }
                } else {
                    $s['p']--;
                }
                return [$s, null];
            }
            if ($s['s'] !== BreakerState::Closed->value || $o === Outcome::Ignored) {
                return [$s, null];
            }
            $size = intdiv($this->config->windowMs, $this->config->buckets);
            $idx = intdiv($now, max(1, $size));
            $b = $s['b'][$idx] ?? [0, 0];
            $b[0]++;
            if ($o === Outcome::Failure) {
                $b[1]++;
            }
            $s['b'][$idx] = $b;
            foreach (array_keys($s['b']) as $k) {
                if ($k <= $idx - $this->config->buckets) {
                    unset($s['b'][$k]);
                }
            }
            if ($o !== Outcome::Failure) {
                return [$s, null];
            }
            $calls = 0;
            $failing = 0;
            foreach ($s['b'] as $k => [$c, $f]) {
                if ($k <= $idx) {
                    $calls += $c;
                    $failing += $f;
                }
            }
            if ($calls >= $this->config->minRequests && $failing >= $this->config->failureRatio * $calls) {
                $this->change($s, BreakerState::Open, $now);
            }
            return [$s, null];
        });
    }

    /**
     * @param \Closure(array<string, mixed>, int): array{array<string, mixed>, mixed} $fn
     */
    private function update(\Closure $fn): mixed
    {
        return StoreMutex::update($this->store, $this->key, self::TTL_SECONDS, function (mixed $raw) use ($fn): array {
            $s = self::load($raw);
            $now = $this->nowMs();
            $this->advance($s, $now);
            return $fn($s, $now);
        });
    }

    /** @return array<string, mixed> state, generation, open until, probes, probe successes, buckets */
    private static function load(mixed $raw): array
    {
        $empty = ['s' => 0, 'g' => 1, 'u' => 0, 'p' => 0, 'k' => 0, 'b' => []];
        return is_array($raw) && isset($raw['s'], $raw['g'], $raw['b']) ? $raw + $empty : $empty;
    }

    /** @param array<string, mixed> $s */
    private function advance(array &$s, int $now): void
    {
        if ($s['s'] === BreakerState::Open->value && $now >= $s['u']) {
            $this->change($s, BreakerState::HalfOpen, $now);
        }
    }

    /** @param array<string, mixed> $s */
    private function change(array &$s, BreakerState $to, int $now): void
    {
        $from = BreakerState::from($s['s']);
        $s['s'] = $to->value;
        $s['g']++;
        match ($to) {
            BreakerState::Open => $s['u'] = $now + $this->config->openMs,
            BreakerState::HalfOpen => [$s['p'], $s['k']] = [0, 0],
            BreakerState::Closed => $s['b'] = [],
        };
        if ($this->onChange !== null && $from !== $to) {
            ($this->onChange)($from, $to);
        }
    }

    private function nowMs(): int
    {
        return (int) floor($this->clock->now() * 1000 + 1e-6);
    }
}
