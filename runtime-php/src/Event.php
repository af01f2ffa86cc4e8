<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * A received CloudEvent's envelope (docs/protocol.md section 9.1), given to consumers with the
 * decoded data. Unknown extension attributes are ignored.
 */
final class Event
{
    public function __construct(
        public readonly string $id,
        public readonly string $source,
        public readonly string $type,
        public readonly ?string $time = null,
        public readonly int $deliveryAttempt = 1,
    ) {
    }
}
