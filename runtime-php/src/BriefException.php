<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * A transport error (docs/protocol.md section 4.2): its code as a backed enum, a message for logs
 * and free-form details. `downstream` marks the error of one of this process's outgoing calls,
 * which a server never passes on unchanged (section 4.5).
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
    ) {
        parent::__construct($message, 0, $previous);
    }

    public static function unimplemented(string $service, string $rpc): self
    {
        return new self(Code::Unimplemented, "unknown rpc {$service}/{$rpc}");
    }

    public static function invalidArgument(string $message): self
    {
        return new self(Code::InvalidArgument, $message);
    }
}
