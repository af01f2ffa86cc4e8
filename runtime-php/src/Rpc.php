<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * What generated code tells the runtime about one rpc.
 */
final class Rpc
{
    /**
     * @param list<class-string<AppError>> $errors the declared errors (classes with a CODE)
     */
    public function __construct(
        public readonly string $name,
        public readonly bool $idempotent = false,
        public readonly ?int $timeoutMs = null,
        public readonly array $errors = [],
    ) {
    }

    /**
     * The class of the declared error named `$code`, or null.
     *
     * @return class-string<AppError>|null
     */
    public function errorClass(string $code): ?string
    {
        foreach ($this->errors as $class) {
            if (\constant($class . '::CODE') === $code) {
                return $class;
            }
        }
        return null;
    }
}
