<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * What a generated `<Service>Consumer` offers the Server: the topics it consumes, the decoding
 * of each topic's message and its typed handler. The Server answers `POST /events/<topic>`
 * (docs/protocol.md section 9.4) and deduplicates deliveries in its Store.
 */
interface Consumer
{
    /** @return list<string> */
    public function topics(): array;

    /** Decodes an event's data as the topic's message (`invalid_argument` when it does not). */
    public function decode(string $topic, \stdClass|null $data): Message;

    /** Runs the handler of `$topic`; an exception asks for a redelivery. */
    public function handle(string $topic, Message $m, Event $event, Context $ctx): void;
}
