<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * Publishes events as CloudEvents 1.0 (structured JSON) to the data bus's `publish` rpc
 * (docs/protocol.md section 9). `publish` is `@idempotent`: the Client retries it on
 * `unavailable` within its budget, the event id kept across attempts; metered as
 * `brief_events_published_total`.
 */
final class Publisher
{
    private const PUBLISH = 'publish';

    public function __construct(private readonly Client $bus, private readonly string $source)
    {
    }

    /**
     * A publisher for service `$source`, the data bus found through SERVICE_DATA_BUS_URL;
     * `$options` are further Client constructor arguments by name.
     *
     * @param array<string, mixed> $options
     */
    public static function fromEnv(string $source, array $options = []): self
    {
        return new self(Client::fromEnv('data-bus', $source, $options), $source);
    }

    /** Publishes `$m` on `$topic` and returns the event id. */
    public function publish(string $topic, Message $m, ?Context $ctx = null): string
    {
        $ctx ??= Context::current();
        $id = self::uuid4();
        $now = Codec::encode('time', new \DateTimeImmutable(), 'time');
        $event = (object) [
            'specversion' => '1.0',
            'id' => $id,
            'source' => $this->source,
            'type' => $topic,
            'time' => $now,
            'datacontenttype' => 'application/json',
            'data' => (object) $m->toWire(),
        ];
        $tp = $ctx?->outgoingTraceparent();
        if ($tp !== null) {
            $event->traceparent = $tp;
            if ($ctx->tracestate !== null) {
                $event->tracestate = $ctx->tracestate;
            }
        }
        $result = Code::Unknown->value;
        try {
            $this->bus->send('data-bus', new Rpc(self::PUBLISH, true, 5000), Codec::json($event), $ctx);
            $result = 'ok';
        } catch (BriefException $e) {
            $result = $e->errorCode->value;
            throw $e;
        } finally {
            $this->bus->metrics()->inc('brief_events_published_total', ['topic' => $topic, 'result' => $result]);
        }
        return $id;
    }

    private static function uuid4(): string
    {
        $b = random_bytes(16);
        $b[6] = chr((ord($b[6]) & 0x0f) | 0x40);
        $b[8] = chr((ord($b[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($b), 4));
    }
}
