<?php

// Autoloader of runtime-php for use without composer: require this file.

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'Brief\\Runtime\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
