<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * What a generated `<Service>Server` offers the runtime's Server.
 */
interface Service
{
    /** The service's name as written in the contract. */
    public function name(): string;

    /** The rpc named `$name`, or null when the service has none. */
    public function rpc(string $name): ?Rpc;

    /** Decodes `$input`, runs the handler and returns its output. */
    public function call(string $name, \stdClass|null $input, Context $ctx): Message;
}
