<?php

// Test doubles shared by the resilience tests: a fake clock and a scripted transport.

declare(strict_types=1);

namespace Brief\Tests;

use Brief\Runtime\BriefException;
use Brief\Runtime\Client;
use Brief\Runtime\Clock;
use Brief\Runtime\Code;
use Brief\Runtime\Transport;
use Brief\Runtime\TransportResponse;

/** A clock that moves only when told to (and when something sleeps on it). */
final class FakeClock implements Clock
{
    /** @var list<int> */
    public array $sleeps = [];

    public function __construct(public int $ms = 0)
    {
    }

    public function now(): float
    {
        return $this->ms / 1000;
    }

    public function sleepMs(int $ms): void
    {
        $this->sleeps[] = $ms;
        $this->ms += $ms;
    }
}

/**
 * A transport answering from a script (golden/wire/retry.json `responses`): status, body,
 * headers, `latency_ms` on the fake clock, `fail` for connection-level failures.
 */
final class ScriptedTransport implements Transport
{
    /** @var list<array<string, mixed>> */
    public array $script = [];
    /** @var list<array<string, string>> headers of each attempt, names in lower case */
    public array $sent = [];
    /** @var list<string> */
    public array $urls = [];
    /** @var list<string> */
    public array $bodies = [];

    public function __construct(private readonly FakeClock $clock)
    {
    }

    public function post(string $url, array $headers, string $body, int $timeoutMs, int $maxBytes): TransportResponse
    {
        $h = [];
        foreach ($headers as $line) {
            [$k, $v] = explode(':', $line, 2);
            $h[strtolower($k)] = trim($v);
        }
        $this->sent[] = $h;
        $this->urls[] = $url;
        $this->bodies[] = $body;
        $r = array_shift($this->script);
        if ($r === null) {
            throw new \LogicException('no scripted response left');
        }
        $latency = (int) ($r['latency_ms'] ?? 0);
        if ($latency >= $timeoutMs) {
            $this->clock->ms += $timeoutMs;
            throw new BriefException(Code::DeadlineExceeded, 'deadline exceeded', [], true);
        }
        $this->clock->ms += $latency;
        if (isset($r['fail'])) {
            throw new BriefException(Code::Unavailable, 'transport: ' . $r['fail'], [], true);
        }
        $b = (string) ($r['body'] ?? '');
        if (strlen($b) > $maxBytes) {
            throw Client::tooLarge($maxBytes);
        }
        return new TransportResponse((int) $r['status'], array_change_key_case($r['headers'] ?? [], CASE_LOWER), $b);
    }
}
