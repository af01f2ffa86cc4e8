<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * A generated message class: decoded from and encoded to the JSON mapping of docs/protocol.md
 * section 3.
 */
interface Message
{
    /**
     * Decodes a JSON object (as json_decode gives it, or an array of fields).
     *
     * @param array<string, mixed>|\stdClass|null $data
     * @throws BriefException invalid_argument, naming the JSON path of the problem
     */
    public static function fromWire(array|\stdClass|null $data, string $path = '$'): self;

    /**
     * The fields to encode, absent optional fields left out.
     *
     * @return array<string, mixed>
     */
    public function toWire(): array;
}
