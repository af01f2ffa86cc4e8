<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * What a call carries (docs/protocol.md section 5): its deadline, request id and caller. A
 * server hands one to every handler; pass it on to outgoing calls so they inherit the deadline
 * and the request id.
 */
final class Context
{
    /**
     * @param float|null $deadline absolute, in seconds (microtime(true)), or null for none
     */
    public function __construct(
        public readonly ?float $deadline = null,
        public readonly ?string $requestId = null,
        public readonly string $caller = '',
        public readonly string $service = '',
    ) {
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
        return new self($d, $this->requestId, $this->caller, $this->service);
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
