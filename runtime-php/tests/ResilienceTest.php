<?php

declare(strict_types=1);

use Brief\Runtime\AppError;
use Brief\Runtime\Breaker;
use Brief\Runtime\BreakerConfig;
use Brief\Runtime\BriefException;
use Brief\Runtime\BudgetConfig;
use Brief\Runtime\Client;
use Brief\Runtime\MemoryStore;
use Brief\Runtime\Outcome;
use Brief\Runtime\RetryPolicy;
use Brief\Runtime\Rpc;
use Brief\Tests\FakeClock;
use Brief\Tests\ScriptedTransport;
use PHPUnit\Framework\TestCase;
use Wire\Generated\EmptyMessage;
use Wire\Generated\NotFoundException;

/**
 * golden/wire/retry.json (every scenario: retries, backoff, Retry-After, budget, breaker
 * integration, outcome classification) and breaker.json (every scenario) on a fake clock with a
 * scripted transport, the state in a MemoryStore on the same clock.
 */
final class ResilienceTest extends TestCase
{
    private static function load(string $name): array
    {
        return json_decode((string) file_get_contents(__DIR__ . "/../../golden/wire/{$name}"), true);
    }

    public function testRetryDefaultsAreTheRuntimes(): void
    {
        $d = self::load('retry.json')['defaults'];
        $p = new RetryPolicy();
        $b = new BudgetConfig();
        $this->assertSame(
            [$d['max_attempts'], $d['initial_backoff_ms'], $d['max_backoff_ms'], (float) $d['multiplier']],
            [$p->maxAttempts, $p->initialBackoffMs, $p->maxBackoffMs, $p->multiplier],
        );
        $this->assertSame(
            [$d['budget_percent'], $d['budget_min_per_second'], $d['budget_window_ms'], $d['budget_buckets']],
            [$b->percent, $b->minPerSecond, $b->windowMs, $b->buckets],
        );
        $this->assertSame($d['default_timeout_ms'], Client::DEFAULT_TIMEOUT_MS);
        $this->assertSame($d['max_response_bytes'], Client::DEFAULT_MAX_RESPONSE_BYTES);
    }

    public function testBreakerDefaultsAreTheRuntimes(): void
    {
        $d = self::load('breaker.json')['defaults'];
        $c = new BreakerConfig();
        $this->assertSame(
            [$d['window_ms'], $d['buckets'], $d['min_requests'], (float) $d['failure_ratio'], $d['open_ms'], $d['half_open_probes']],
            [$c->windowMs, $c->buckets, $c->minRequests, $c->failureRatio, $c->openMs, $c->halfOpenProbes],
        );
    }

    public function testRetryAfterForms(): void
    {
        $now = 1767323045.0; // 2026-01-02T03:04:05Z
        $this->assertSame(3000, RetryPolicy::retryAfterMs('3', $now));
        $this->assertSame(2000, RetryPolicy::retryAfterMs('Fri, 02 Jan 2026 03:04:07 GMT', $now));
        $this->assertSame(2000, RetryPolicy::retryAfterMs('Friday, 02-Jan-26 03:04:07 GMT', $now));
        $this->assertSame(2000, RetryPolicy::retryAfterMs('Fri Jan  2 03:04:07 2026', $now));
        $this->assertSame(0, RetryPolicy::retryAfterMs('Fri, 02 Jan 2026 03:04:00 GMT', $now), 'a past date is no delay');
        foreach ([null, '', 'soon', '-1', '1.5', ' 1'] as $bad) {
            $this->assertNull(RetryPolicy::retryAfterMs($bad, $now), var_export($bad, true));
        }
    }

    public function testRetryScenarios(): void
    {
        foreach (self::load('retry.json')['scenarios'] as $s) {
            $this->scenario($s);
        }
    }

    private function scenario(array $s): void
    {
        $cfg = $s['config'] ?? [];
        $clock = new FakeClock();
        $transport = new ScriptedTransport($clock);
        $random = [];
        $bc = $cfg['breaker'] ?? [];
        $client = new Client(
            'http://dep.test',
            'tests',
            $cfg['max_response_bytes'] ?? Client::DEFAULT_MAX_RESPONSE_BYTES,
            $transport,
            new MemoryStore($clock),
            $clock,
            new RetryPolicy($cfg['max_attempts'] ?? 3, 100, $cfg['max_backoff_ms'] ?? 2000),
            new BreakerConfig(minRequests: $bc['min_requests'] ?? 20, disabled: $bc['disabled'] ?? false),
            new BudgetConfig(disabled: ($cfg['budget'] ?? '') === 'disabled'),
            random: static function () use (&$random): float {
                return (float) array_shift($random);
            },
        );
        foreach ($s['calls'] as $i => $call) {
            for ($n = 0; $n < ($call['repeat'] ?? 1); $n++) {
                $what = "{$s['name']}: call {$i}" . ($n > 0 ? " repeat {$n}" : '');
                $clock->ms += $call['advance_ms'] ?? 0;
                $transport->script = $call['responses'];
                $transport->sent = [];
                $clock->sleeps = [];
                $random = $call['random'] ?? [];
                $rpc = new Rpc('get', $call['rpc']['idempotent'], $call['rpc']['timeout_ms'] ?? null, [NotFoundException::class]);
                $start = $clock->ms;
                $err = null;
                try {
                    $client->call('dep', $rpc, new EmptyMessage(), EmptyMessage::class);
                    $result = 'ok';
                } catch (AppError $e) {
                    $result = $e->errorName;
                    $err = $e;
                } catch (BriefException $e) {
                    $result = $e->errorCode->value;
                    $err = $e;
                }
                $x = $call['expect'];
                $this->assertSame($x['result'], $result, $what);
                $this->assertCount($x['attempts'], $transport->sent, $what);
                if (isset($x['sleeps_ms'])) {
                    $this->assertSame($x['sleeps_ms'], $clock->sleeps, $what);
                }
                if (isset($x['timeout_headers_ms'])) {
                    $got = array_map(static fn (array $h): int => (int) $h['x-request-timeout-ms'], $transport->sent);
                    $this->assertSame($x['timeout_headers_ms'], $got, $what);
                }
                if (isset($x['message'])) {
                    $this->assertSame($x['message'], $err?->getMessage(), $what);
                }
                if (isset($x['budget'])) {
                    $this->assertSame([$x['budget']['calls'], $x['budget']['retries']], $client->budget('dep')->window(), $what);
                }
                if (isset($x['circuit_open'])) {
                    $this->assertSame($x['circuit_open'], $err instanceof BriefException && $err->circuitOpen, $what);
                }
                if (isset($x['breaker'])) {
                    $this->assertSame($x['breaker'], $client->breaker('dep')->state()->label(), $what);
                }
                if (isset($x['elapsed_ms'])) {
                    $this->assertSame($x['elapsed_ms'], $clock->ms - $start, $what);
                }
            }
        }
    }

    public function testBreakerScenarios(): void
    {
        $outcomes = ['success' => Outcome::Success, 'failure' => Outcome::Failure, 'ignored' => Outcome::Ignored];
        foreach (self::load('breaker.json')['scenarios'] as $s) {
            $clock = new FakeClock();
            $b = new Breaker(new MemoryStore($clock), 'dep', $clock);
            $tickets = [];
            foreach ($s['steps'] as $i => $st) {
                $clock->ms = $st['at_ms'];
                $what = "{$s['name']}: step {$i}";
                switch ($st['op']) {
                    case 'call':
                        for ($n = 0; $n < ($st['repeat'] ?? 1); $n++) {
                            $t = $b->allow();
                            $this->assertSame($st['expect_allowed'], $t !== null, "{$what} #{$n}");
                            if ($t !== null) {
                                $b->record($t, $outcomes[$st['outcome']]);
                            }
                        }
                        break;
                    case 'start':
                        $t = $b->allow();
                        $this->assertSame($st['expect_allowed'], $t !== null, $what);
                        $tickets[$st['id']] = $t;
                        break;
                    case 'finish':
                        $t = $tickets[$st['id']] ?? null;
                        if ($t !== null) {
                            $b->record($t, $outcomes[$st['outcome']]);
                        }
                        break;
                    case 'state':
                        $this->assertSame($st['expect'], $b->state()->label(), $what);
                        break;
                    default:
                        $this->fail("{$what}: unknown op {$st['op']}");
                }
            }
        }
    }
}
