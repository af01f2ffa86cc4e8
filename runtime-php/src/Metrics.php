<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The series of docs/protocol.md section 7.3, kept in a Store (APCu under php-fpm) so that
 * `/metrics` shows the sums over every worker of the host, not one process's share. Counters are
 * Store increments; a histogram is one counter per bucket plus its sum in microseconds. An index
 * of the series lives under `m:index`; every key expires a day after it was created or the
 * index last changed (a restart of the counters, which Prometheus handles as a reset).
 */
final class Metrics
{
    public const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private const TTL_SECONDS = 86400;
    private const INDEX = 'm:index';

    private const HELP = [
        'brief_server_requests_total' => ['counter', 'Requests served, by rpc and code.'],
        'brief_server_errors_total' => ['counter', 'Requests that failed, by rpc and code.'],
        'brief_server_request_duration_seconds' => ['histogram', 'Time to serve a request.'],
        'brief_server_in_flight_requests' => ['gauge', 'Requests being served.'],
        'brief_client_requests_total' => ['counter', 'Calls made, after retries, by rpc and code.'],
        'brief_client_request_duration_seconds' => ['histogram', 'Time of a whole call, retries included.'],
        'brief_client_retries_total' => ['counter', 'Retries sent.'],
        'brief_client_breaker_state' => ['gauge', 'Circuit breaker state: 0 closed, 1 open, 2 half_open.'],
        'brief_client_breaker_rejections_total' => ['counter', 'Calls rejected by an open circuit breaker.'],
        'brief_events_published_total' => ['counter', 'Events published, by topic and result.'],
        'brief_events_received_total' => ['counter', 'Events received, by topic and result.'],
    ];

    /** @var \WeakMap<Store, self>|null */
    private static ?\WeakMap $of = null;

    /** Seconds after which this process checks again that a series is in the index. */
    private const RECHECK_SECONDS = 300;

    /** @var array<string, int> series this process put in the index, and when */
    private array $known = [];

    private function __construct(private readonly Store $store)
    {
    }

    /** The metrics kept in `$store` (one instance per Store object). */
    public static function of(Store $store): self
    {
        self::$of ??= new \WeakMap();
        return self::$of[$store] ??= new self($store);
    }

    /**
     * @param array<string, string> $labels
     */
    public function inc(string $name, array $labels, int $by = 1): void
    {
        $h = $this->register($name, $labels);
        $this->store->increment("m:{$h}", $by, self::TTL_SECONDS);
    }

    /**
     * @param array<string, string> $labels
     */
    public function observe(string $name, array $labels, float $seconds): void
    {
        $h = $this->register($name, $labels);
        $i = 0;
        while ($i < count(self::BUCKETS) && $seconds > self::BUCKETS[$i]) {
            $i++;
        }
        $this->store->increment("m:{$h}:{$i}", 1, self::TTL_SECONDS);
        $this->store->increment("m:{$h}:sum", (int) round($seconds * 1e6), self::TTL_SECONDS);
    }

    /** Makes `brief_client_breaker_state{dependency}` part of the exposition. */
    public function breaker(string $dependency): void
    {
        $this->register('brief_client_breaker_state', ['dependency' => $dependency]);
    }

    /** The Prometheus text exposition (format 0.0.4) of every series. */
    public function render(Clock $clock = new SystemClock()): string
    {
        $index = $this->store->get(self::INDEX);
        $byName = [];
        foreach (is_array($index) ? $index : [] as $h => [$name, $labels]) {
            $byName[$name][$labels] = (string) $h;
        }
        ksort($byName);
        $out = '';
        foreach ($byName as $name => $series) {
            [$type, $help] = self::HELP[$name] ?? ['untyped', ''];
            $out .= "# HELP {$name} {$help}\n# TYPE {$name} {$type}\n";
            ksort($series);
            foreach ($series as $labels => $h) {
                $out .= match ($type) {
                    'histogram' => $this->histogram($name, $labels, $h),
                    default => "{$name}{$this->braces($labels)} {$this->value($name, $labels, $h, $clock)}\n",
                };
            }
        }
        return $out;
    }

    private function value(string $name, string $labels, string $h, Clock $clock): string
    {
        if ($name === 'brief_client_breaker_state') {
            preg_match('/^dependency="((?:[^"\\\\]|\\\\.)*)"$/', $labels, $m);
            $dep = stripcslashes($m[1] ?? '');
            return (string) (new Breaker($this->store, $dep, $clock))->state()->value;
        }
        return (string) (int) $this->store->get("m:{$h}");
    }

    private function histogram(string $name, string $labels, string $h): string
    {
        $out = '';
        $sum = 0;
        $le = [...array_map(static fn (float|int $b): string => (string) $b, self::BUCKETS), '+Inf'];
        $sep = $labels === '' ? '' : ',';
        foreach ($le as $i => $bound) {
            $sum += (int) $this->store->get("m:{$h}:{$i}");
            $out .= "{$name}_bucket{{$labels}{$sep}le=\"{$bound}\"} {$sum}\n";
        }
        $seconds = ((int) $this->store->get("m:{$h}:sum")) / 1e6;
        $out .= "{$name}_sum{$this->braces($labels)} {$seconds}\n";
        $out .= "{$name}_count{$this->braces($labels)} {$sum}\n";
        return $out;
    }

    private function braces(string $labels): string
    {
        return $labels === '' ? '' : "{{$labels}}";
    }

    /**
     * The series' hash, added to the index the first time this process sees it.
     *
     * @param array<string, string> $labels
     */
    private function register(string $name, array $labels): string
    {
        $parts = [];
        foreach ($labels as $k => $v) {
            $parts[] = $k . '="' . addcslashes($v, "\\\"\n") . '"';
        }
        $text = implode(',', $parts);
        $h = md5("{$name}{{$text}}");
        if (($this->known[$h] ?? 0) > time() - self::RECHECK_SECONDS) {
            return $h;
        }
        $add = static function (mixed $index) use ($h, $name, $text): array {
            $index = is_array($index) ? $index : [];
            $index[$h] = [$name, $text];
            return [$index, null];
        };
        StoreMutex::update($this->store, self::INDEX, self::TTL_SECONDS, $add);
        $this->known[$h] = time();
        return $h;
    }
}
