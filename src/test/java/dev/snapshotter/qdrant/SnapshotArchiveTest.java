package dev.snapshotter.qdrant;

import static dev.snapshotter.support.SnapshotArchiveBuilder.archive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;

import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

import dev.snapshotter.store.ContentCheck;
import dev.snapshotter.support.SnapshotArchiveBuilder;

/** The offline check of a Qdrant collection snapshot, on archives laid out as Qdrant writes them, and broken ones. */
class SnapshotArchiveTest {

    @Test
    void findsVersionShardsAndVectorParamsOfASoundSnapshot() throws Exception {
        SnapshotArchive check = new SnapshotArchive();
        check.read(new ByteArrayInputStream(archive().shards(3).version("1.18.2").build()));

        SnapshotArchive.Facts facts = check.facts();
        assertThat(facts.qdrantVersion()).isEqualTo("1.18.2");
        assertThat(facts.shardNumber()).isEqualTo(3);
        assertThat(facts.shards()).containsExactly(0, 1, 2);
        assertThat(facts.shardsWithData()).containsExactly(0, 1, 2);
        assertThat(facts.vectors().toString()).isEqualTo("{\"size\":4,\"distance\":\"Cosine\"}");
        assertThat(SnapshotArchive.Facts.fromJson(facts.toJson())).isEqualTo(facts);
    }

    @Test
    void readsPastLongNamesOfBothKindsAndTheirData() throws Exception {
        String longName = "0/segments/" + "a".repeat(60) + "/" + "b".repeat(60) + "/segment.json";
        for (SnapshotArchiveBuilder builder : new SnapshotArchiveBuilder[] { archive(), archive().paxNames() }) {
            SnapshotArchive check = new SnapshotArchive();
            check.read(new ByteArrayInputStream(builder.dataBytes(3 * 1024 * 1024)
                    .withFile(longName, dev.snapshotter.support.TestData.randomBytes(100_001)).build()));

            assertThat(check.facts().shardsWithData()).containsExactly(0);
            assertThat(check.facts().qdrantVersion()).isEqualTo("1.19.0");
        }
    }

    @Test
    void aShardOfAnotherPeerIsListedWithoutData() throws Exception {
        SnapshotArchive check = new SnapshotArchive();
        check.read(new ByteArrayInputStream(archive().shards(2).remoteShard(1).build()));

        assertThat(check.facts().shardsWithData()).containsExactly(0);
    }

    @Test
    void refusesATruncatedArchiveEvenWhenItStopsBetweenEntries() {
        assertRejected(archive().cut(1024).build(), "ends without the tar end-of-archive blocks");
        assertRejected(archive().cut(512).build(), "ends without the tar end-of-archive blocks");
        assertRejected(archive().cut(700).build(), "ends without the tar end-of-archive blocks");
        assertRejected(archive().cut(5_000).build(), "ends without the tar end-of-archive blocks");
    }

    @Test
    void refusesBytesThatAreNoTarAtAll() {
        assertRejected(dev.snapshotter.support.TestData.randomBytes(10_000), "a tar header does not parse");
    }

    @Test
    void refusesMissingConfigVersionOrShardFiles() {
        assertRejected(archive().without("config.json").build(), "it has no `config.json`");
        assertRejected(archive().without("version.info").build(), "it has no `version.info`");
        assertRejected(archive().shards(2).without("1/shard_config.json").build(),
                "shard 1 has no `1/shard_config.json`");
        assertRejected(archive().without("0/replica_state.json").build(), "shard 0 has no `0/replica_state.json`");
    }

    @Test
    void refusesLinksDevicesAndPathsThatLeaveTheArchive() {
        assertRejected(archive().with("0/segments/evil", TarConstants.LF_SYMLINK).build(),
                "`0/segments/evil` is an entry of a type Qdrant refuses to unpack");
        assertRejected(archive().with("0/fifo", TarConstants.LF_FIFO).build(), "`0/fifo` is an entry of a type");
        assertRejected(archive().with("0/../../etc/", TarConstants.LF_DIR).build(),
                "`0/../../etc/` is an absolute path or leaves the archive");
    }

    @Test
    void refusesAHeaderWhoseChecksumFails() {
        byte[] bytes = archive().build();
        bytes[10] ^= 0x01; // a bit of the first entry's name: its header checksum no longer adds up
        assertRejected(bytes, "fails its checksum");
    }

    private static void assertRejected(byte[] bytes, String why) {
        assertThatThrownBy(() -> new SnapshotArchive().read(new ByteArrayInputStream(bytes)))
                .isInstanceOf(ContentCheck.Rejected.class)
                .hasMessageStartingWith("The snapshot is not a sound Qdrant snapshot archive: ")
                .hasMessageContaining(why);
    }
}
