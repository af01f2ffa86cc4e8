<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * A transport error (docs/protocol.md section 4.2): its code as a backed enum, a message for logs
 * and free-form details. `downstream` marks the error of one of this process's outgoing calls,
 * which a server never passes on unchanged (section 4.5); `local` an answer the client could not
 * use (section 4.4: never retried, a success for the breaker); `circuitOpen` a call the circuit
 * breaker rejected without sending it (an `unavailable` told apart from a server's answer).
 */
final class BriefException extends \RuntimeException
{
    /**
     * @param array<string, mixed> $details
     */
    public function __construct(
        public readonly Code $errorCode,
        string $message = '',
        public readonly array $details = [],
        public readonly bool $downstream = false,
        ?\Throwable $previous = null,
        public readonly bool $local = false,
        public readonly bool $circuitOpen = false,
    ) {
        parent::__construct($message, 0, $previous);
    }

    /** Whether this is a server's report that its own dependency failed (section 4.5). */
    public function isDependencyFailure(): bool
    {
        return $this->errorCode === Code::Internal && ($this->details['reason'] ?? null) === 'DEPENDENCY_FAILED';
    }

    public static function unimplemented(string $service, string $rpc): self
    {
        return new self(Code::Unimplemented, "unknown rpc {$service}/{$rpc}");
    }

    public static function noConsumer(string $topic): self
    {
        return new self(Code::Unimplemented, "no consumer for topic {$topic}");
    }

    public static function invalidArgument(string $message): self
    {
        return new self(Code::InvalidArgument, $message);
    }
}
