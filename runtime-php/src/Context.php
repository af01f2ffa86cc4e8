<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * What a call carries (docs/protocol.md section 5): its deadline, request id and caller. A
 * server hands one to every handler; pass it on to outgoing calls so they inherit the deadline
 * and the request id. While a Server runs a handler, that handler's Context is also
 * Context::current(), which outgoing calls made without an explicit Context use.
 */
final class Context
{
    private static ?self $current = null;

    /**
     * @param float|null $deadline absolute, in seconds (microtime(true)), or null for none
     */
    public function __construct(
        public readonly ?float $deadline = null,
        public readonly ?string $requestId = null,
        public readonly string $caller = '',
        public readonly string $service = '',
        public readonly ?string $traceparent = null,
        public readonly ?string $tracestate = null,
    ) {
    }

    /** The Context of the request being served, or null outside a handler. */
    public static function current(): ?self
    {
        return self::$current;
    }

    /** Makes `$ctx` the current Context and returns the previous one (for the Server). */
    public static function swapCurrent(?self $ctx): ?self
    {
        $previous = self::$current;
        self::$current = $ctx;
        return $previous;
    }

    /**
     * The incoming `traceparent` if valid (W3C Trace Context level 1, section 5.2), else null.
     */
    public static function validTraceparent(string $tp): ?string
    {
        $ok = preg_match('/^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(.*)$/s', $tp, $m) === 1
            && $m[1] !== 'ff' && $m[2] !== str_repeat('0', 32) && $m[3] !== str_repeat('0', 16)
            && ($m[1] === '00' ? $m[5] === '' : ($m[5] === '' || $m[5][0] === '-'));
        return $ok ? $tp : null;
    }

    /** The traceparent of an outgoing call: same trace and flags, a new parent id; or null. */
    public function outgoingTraceparent(): ?string
    {
        if ($this->traceparent === null) {
            return null;
        }
        do {
            $parent = bin2hex(random_bytes(8));
        } while ($parent === str_repeat('0', 16));
        return '00-' . substr($this->traceparent, 3, 32) . "-{$parent}-" . substr($this->traceparent, 53, 2);
    }

    /** Milliseconds left before the deadline (may be negative), or null without one. */
    public function remainingMs(): ?int
    {
        return $this->deadline === null ? null : (int) floor(($this->deadline - microtime(true)) * 1000);
    }

    /** A context whose deadline is at most `$ms` from now. */
    public function withTimeoutMs(int $ms): self
    {
        $d = microtime(true) + $ms / 1000;
        if ($this->deadline !== null && $this->deadline < $d) {
            $d = $this->deadline;
        }
        return new self($d, $this->requestId, $this->caller, $this->service, $this->traceparent, $this->tracestate);
    }

    /** A new request id: 32 lowercase hex characters from 128 random bits (section 5.1). */
    public static function newRequestId(): string
    {
        return bin2hex(random_bytes(16));
    }

    /** Whether `$id` is a valid request id: 1-128 visible ASCII characters. */
    public static function validRequestId(string $id): bool
    {
        return preg_match('/^[\x21-\x7e]{1,128}$/', $id) === 1;
    }
}
