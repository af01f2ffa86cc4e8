<?php

declare(strict_types=1);

namespace Brief\Runtime;

/**
 * The transport error codes of docs/protocol.md section 4.2.
 */
enum Code: string
{
    case Canceled = 'canceled';
    case Unknown = 'unknown';
    case InvalidArgument = 'invalid_argument';
    case DeadlineExceeded = 'deadline_exceeded';
    case NotFound = 'not_found';
    case AlreadyExists = 'already_exists';
    case PermissionDenied = 'permission_denied';
    case ResourceExhausted = 'resource_exhausted';
    case FailedPrecondition = 'failed_precondition';
    case Aborted = 'aborted';
    case OutOfRange = 'out_of_range';
    case Unimplemented = 'unimplemented';
    case Internal = 'internal';
    case Unavailable = 'unavailable';
    case DataLoss = 'data_loss';
    case Unauthenticated = 'unauthenticated';

    /** The HTTP status a server answers this code with. */
    public function httpStatus(): int
    {
        return match ($this) {
            self::Canceled => 499,
            self::Unknown, self::Internal, self::DataLoss => 500,
            self::InvalidArgument, self::OutOfRange => 400,
            self::DeadlineExceeded => 504,
            self::NotFound => 404,
            self::AlreadyExists, self::Aborted => 409,
            self::PermissionDenied => 403,
            self::ResourceExhausted => 429,
            self::FailedPrecondition => 412,
            self::Unimplemented => 501,
            self::Unavailable => 503,
            self::Unauthenticated => 401,
        };
    }

    /** Whether an `@idempotent` call may be retried after this code (section 6.2). */
    public function isRetryable(): bool
    {
        return $this === self::Unavailable;
    }

    /** Whether the circuit breaker counts this code as a failure (section 6.1). */
    public function isBreakerFailure(): bool
    {
        return match ($this) {
            self::Unknown, self::Internal, self::Unavailable, self::DeadlineExceeded, self::DataLoss => true,
            default => false,
        };
    }

    /** The code of a non-200 answer without a usable envelope (section 4.4). */
    public static function fromHttpStatus(int $status): self
    {
        return match ($status) {
            400 => self::InvalidArgument,
            401 => self::Unauthenticated,
            403 => self::PermissionDenied,
            404, 501 => self::Unimplemented,
            408, 504 => self::DeadlineExceeded,
            409 => self::Aborted,
            412 => self::FailedPrecondition,
            413 => self::ResourceExhausted,
            429, 502, 503 => self::Unavailable,
            499 => self::Canceled,
            default => self::Unknown,
        };
    }
}
