package ai.datapilot.cleaner.blob;

/** {@link StoreFixture} with the store forced onto the path fallback. */
abstract class PathFallbackFixture extends StoreFixture {

    @Override
    LocalBlobStore store() {
        LocalBlobStore store = super.store();
        store.forcePathFallback = true;
        return store;
    }
}
