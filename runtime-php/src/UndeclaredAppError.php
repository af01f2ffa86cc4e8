<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * An application error the rpc does not declare (a newer server's): its name, message and raw
 * details (docs/protocol.md section 4.4).
 */
final class UndeclaredAppError extends AppError
{
    public function __construct(string $name, string $message, public readonly \stdClass $details)
    {
        parent::__construct($name, $message);
    }

    public function toWire(): array
    {
        return get_object_vars($this->details);
    }
}
