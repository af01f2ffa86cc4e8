<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * An application error declared in a contract (docs/protocol.md section 4.3): sent with status
 * 422, code = its name, details = its fields. Generated error classes extend it.
 */
abstract class AppError extends \RuntimeException
{
    public function __construct(public readonly string $errorName, string $message = '')
    {
        parent::__construct($message);
    }

    /**
     * The error's fields as the envelope's `details`.
     *
     * @return array<string, mixed>
     */
    abstract public function toWire(): array;
}
