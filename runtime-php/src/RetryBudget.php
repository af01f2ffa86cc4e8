<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The retry budget of one dependency (docs/protocol.md section 6.2, after Finagle's
 * RetryBudget), its window in a Store under `budget:<dependency>` shared by the php-fpm workers
 * of the host: calls (first attempts sent) and retries over a bucketed sliding window; a retry is
 * allowed while retries < max(minPerSecond x window seconds, calls x percent / 100).
 */
final class RetryBudget
{
    private readonly string $key;

    public function __construct(
        private readonly Store $store,
        string $dependency,
        private readonly Clock $clock = new SystemClock(),
        private readonly BudgetConfig $config = new BudgetConfig(),
    ) {
        $this->key = "budget:{$dependency}";
    }

    /** Counts one call whose first attempt is being sent. */
    public function deposit(): void
    {
        $this->update(static function (array $b, int $idx): array {
            $b[$idx][0]++;
            return [$b, null];
        });
    }

    /** Whether one retry is allowed now; if so it is counted. */
    public function tryWithdraw(): bool
    {
        return $this->update(function (array $b, int $idx): array {
            if (!$this->config->disabled) {
                [$calls, $retries] = self::sums($b);
                $reserve = $this->config->minPerSecond * intdiv($this->config->windowMs, 1000);
                if ($retries >= max($reserve, intdiv($calls * $this->config->percent, 100))) {
                    return [$b, false];
                }
            }
            $b[$idx][1]++;
            return [$b, true];
        });
    }

    /** @return array{int, int} the calls and retries counted in the current window */
    public function window(): array
    {
        $raw = $this->store->get($this->key);
        return self::sums($this->current(is_array($raw) ? $raw : [])[0]);
    }

    /**
     * @param \Closure(array<int, array{int, int}>, int): array{array<int, array{int, int}>, mixed} $fn
     */
    private function update(\Closure $fn): mixed
    {
        $ttl = intdiv($this->config->windowMs, 1000) + 60;
        return StoreMutex::update($this->store, $this->key, $ttl, function (mixed $raw) use ($fn): array {
            [$b, $idx] = $this->current(is_array($raw) ? $raw : []);
            return $fn($b, $idx);
        });
    }

    /**
     * The buckets of the current window (older ones dropped, the current one present).
     *
     * @param array<int, array{int, int}> $b
     * @return array{array<int, array{int, int}>, int}
     */
    private function current(array $b): array
    {
        $size = max(1, intdiv($this->config->windowMs, $this->config->buckets));
        $idx = intdiv((int) floor($this->clock->now() * 1000 + 1e-6), $size);
        foreach (array_keys($b) as $k) {
            if ($k <= $idx - $this->config->buckets || $k > $idx) {
                unset($b[$k]);
            }
        }
        $b[$idx] ??= [0, 0];
        return [$b, $idx];
    }

    /**
     * @param array<int, array{int, int}> $b
     * @return array{int, int}
     */
    private static function sums(array $b): array
    {
        $calls = 0;
        $retries = 0;
        foreach ($b as [$c, $r]) {
            $calls += $c;
            $retries += $r;
        }
        return [$calls, $retries];
    }
}
