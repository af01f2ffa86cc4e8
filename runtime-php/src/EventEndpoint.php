<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * `POST /events/<topic>` of a Server (docs/protocol.md section 9.4): checks the CloudEvent,
 * decodes its data as the topic's message, runs the consumer's handler once per (source, id)
 * and answers 204; a duplicate is a 204 without running it, a delivery of an event that another
 * worker is processing right now a 409 `aborted`. Both memories are in the Store (APCu under
 * php-fpm), so they hold across workers: `ev:<hash>` remembers processed events for 24 h,
 * `evb:<hash>` marks one being processed (30 s, the delivery timeout).
 */
final class EventEndpoint
{
    public function __construct(
        private readonly Server $server,
        private readonly Store $store,
        private readonly Metrics $metrics,
    ) {
    }

    /**
     * @param array<string, Consumer> $consumers by topic
     * @param array<string, string> $headers names in lower case
     * @param array<string, string> $out response headers so far
     * @return array{int, array<string, string>, string}
     */
    public function handle(
        array $consumers,
        string $method,
        string $topic,
        array $headers,
        string $body,
        array $out,
        string $id,
    ): array {
        $consumer = $consumers[$topic] ?? null;
        if ($consumer === null) {
            return Server::envelope(new BriefException(Code::Unimplemented, "no consumer for topic {$topic}"), $out);
        }
        $result = Code::Unknown->value;
        try {
            [$status, $result, $text] = $this->deliver($consumer, $method, $topic, $headers, $body, $id);
        } catch (BriefException $e) {
            $result = $e->errorCode->value;
            return Server::envelope($e, $out);
        } finally {
            $this->metrics->inc('brief_events_received_total', ['topic' => $topic, 'result' => $result]);
        }
        return [$status, $out, $text];
    }

    /**
     * @param array<string, string> $headers
     * @return array{int, string, string} status, metric result, body
     * @throws BriefException
     */
    private function deliver(
        Consumer $c,
        string $method,
        string $topic,
        array $headers,
        string $body,
        string $id,
    ): array {
        if ($method !== 'POST') {
            throw BriefException::invalidArgument("method {$method} not allowed: use POST");
        }
        $type = strtolower(trim(explode(';', $headers['content-type'] ?? '')[0]));
        if ($type !== 'application/cloudevents+json' && $type !== 'application/json') {
            $why = 'Content-Type must be application/cloudevents+json or application/json';
            throw BriefException::invalidArgument($why);
        }
        if (strlen($body) > Server::MAX_BODY_BYTES) {
            throw new BriefException(Code::ResourceExhausted, 'request body over 4 MiB');
        }
        $ev = Codec::parse($body);
        if (!$ev instanceof \stdClass) {
            throw BriefException::invalidArgument('not a CloudEvent: expected an object');
        }
        if (($ev->specversion ?? null) !== '1.0') {
            throw BriefException::invalidArgument('specversion must be "1.0"');
        }
        foreach (['id', 'source'] as $f) {
            if (!is_string($ev->{$f} ?? null) || $ev->{$f} === '') {
                throw BriefException::invalidArgument("{$f} is required");
            }
        }
        if (($ev->type ?? null) !== $topic) {
            throw BriefException::invalidArgument("type must be the topic {$topic}");
        }
        $data = $ev->data ?? null;
        if ($data !== null && !$data instanceof \stdClass) {
            throw BriefException::invalidArgument('data: expected an object');
        }
        try {
            $message = $c->decode($topic, $data);
        } catch (BriefException $e) {
            throw BriefException::invalidArgument('data: ' . $e->getMessage());
        }
        $key = sha1($ev->source . "\0" . $ev->id);
        if ($this->store->get("ev:{$key}") !== null) {
            return [204, 'duplicate', ''];
        }
        if (!$this->store->add("evb:{$key}", 1, Server::EVENT_BUSY_SECONDS)) {
            throw new BriefException(Code::Aborted, 'the event is being processed by another delivery');
        }
        $attempt = $headers['x-delivery-attempt'] ?? '1';
        $event = new Event(
            $ev->id,
            $ev->source,
            $topic,
            is_string($ev->time ?? null) ? $ev->time : null,
            ctype_digit($attempt) ? (int) $attempt : 1,
        );
        $deadline = null;
        $t = $headers['x-request-timeout-ms'] ?? '';
        if (preg_match('/^[0-9]{1,10}$/', $t) === 1) {
            $deadline = microtime(true) + ((int) $t) / 1000;
        }
        $tp = Context::validTraceparent($headers['traceparent'] ?? '');
        $ctx = new Context($deadline, $id, $headers['x-source-service'] ?? '', '', $tp);
        $previous = Context::swapCurrent($ctx);
        try {
            $c->handle($topic, $message, $event, $ctx);
        } catch (\Throwable $e) {
            throw $this->server->failure($e, $id);
        } finally {
            Context::swapCurrent($previous);
            $this->store->delete("evb:{$key}");
        }
        $this->store->set("ev:{$key}", 1, Server::EVENT_SEEN_SECONDS);
        return [204, 'ok', ''];
    }
}
