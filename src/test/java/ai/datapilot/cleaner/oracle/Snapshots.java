package ai.datapilot.cleaner.oracle;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** What the world looked like: every entry under a folder (links not followed), every key of every database. */
final class Snapshots {

    private Snapshots() {
    }

    enum Type { FILE, DIR, LINK, OTHER }

    /** One entry: its type, mtime (ns), and content (a file's bytes, a link's target). */
    record Entry(Type type, long mtimeNanos, byte[] content) {
        boolean sameAs(Entry o) {
            // a folder's mtime changes when its entries do: compare only that it is still a folder
            return type == o.type && (type == Type.DIR || mtimeNanos == o.mtimeNanos && Arrays.equals(content, o.content));
        }
    }

    static Map<Path, Entry> tree(Path top) throws IOException {
        Map<Path, Entry> entries = new LinkedHashMap<>();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                entries.put(dir, new Entry(Type.DIR, 0, null));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                long mtime = nanos(attrs);
                if (attrs.isSymbolicLink()) {
                    entries.put(file, new Entry(Type.LINK, mtime, Files.readSymbolicLink(file).toString().getBytes()));
                } else if (attrs.isRegularFile()) {
                    try {
                        entries.put(file, new Entry(Type.FILE, mtime, attrs.size() > 1 << 20 ? null : Files.readAllBytes(file)));
                    } catch (NoSuchFileException gone) {
                        // removed while walked (a run still going): not there
                    }
                } else {
                    entries.put(file, new Entry(Type.OTHER, mtime, null));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }
        });
        return entries;
    }

    private static long nanos(BasicFileAttributes attrs) {
        java.time.Instant t = attrs.lastModifiedTime().toInstant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Every key of databases 0 to 15 with its type and value, as bytes (a hash's fields and a set's
     * members sorted: DUMP's order of a large hash may change without any write).
     */
    static Map<Integer, Map<Bytes, Bytes>> redis(Jedis jedis) {
        Map<Integer, Map<Bytes, Bytes>> dbs = new TreeMap<>();
        for (int db = 0; db < 16; db++) {
            jedis.select(db);
            if (jedis.dbSize() == 0) {
                continue;
            }
            Map<Bytes, Bytes> keys = new LinkedHashMap<>();
            byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
            ScanParams params = new ScanParams().count(1000);
            do {
                ScanResult<byte[]> page = jedis.scan(cursor, params);
                for (byte[] key : page.getResult()) {
                    Bytes value = content(jedis, key);
                    if (value != null) {
                        keys.put(new Bytes(key), value);
                    }
                }
                cursor = page.getCursorAsBytes();
            } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
            dbs.put(db, keys);
        }
        jedis.select(0);
        return dbs;
    }

    private static Bytes content(Jedis jedis, byte[] key) {
        String type = jedis.type(key);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes((type + "\n").getBytes());
        java.util.function.Consumer<byte[]> part = b -> {
            out.writeBytes(Integer.toString(b.length).getBytes());
            out.write(':');
            out.writeBytes(b);
        };
        java.util.Comparator<byte[]> order = Arrays::compare;
        switch (type) {
            case "none" -> {
                return null;
            }
            case "string" -> part.accept(jedis.get(key));
            case "hash" -> {
                java.util.TreeMap<byte[], byte[]> sorted = new java.util.TreeMap<>(order);
                sorted.putAll(jedis.hgetAll(key));
                sorted.forEach((k, v) -> {
                    part.accept(k);
                    part.accept(v);
                });
            }
            case "list" -> jedis.lrange(key, 0, -1).forEach(part);
            case "set" -> jedis.smembers(key).stream().sorted(order).forEach(part);
            case "zset" -> jedis.zrangeWithScores(key, 0, -1).forEach(t -> {
                part.accept(t.getBinaryElement());
                part.accept(Double.toString(t.getScore()).getBytes());
            });
            default -> part.accept(jedis.dump(key));
        }
        return new Bytes(out.toByteArray());
    }
}
