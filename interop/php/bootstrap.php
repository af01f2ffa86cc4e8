<?php

// Autoloading for the PHP side of the interop matrix: runtime-php ($BRIEF_RUNTIME_PHP, its
// autoload.php) and the code generated from interop/contract into $MATRIX_PHP_GEN.

declare(strict_types=1);

require (string) getenv('BRIEF_RUNTIME_PHP');

spl_autoload_register(static function (string $class): void {
    $prefix = 'Matrix\\Generated\\';
    if (str_starts_with($class, $prefix)) {
        $file = getenv('MATRIX_PHP_GEN') . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
