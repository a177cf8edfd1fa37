package dev.deckhand.compat.normalsync;

import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.ankiclient.SyncRequired;
import dev.deckhand.compat.collection.CollectionDigest;
import dev.deckhand.compat.collection.Expectation;
import dev.deckhand.compat.collection.VariedCollection;
import dev.deckhand.compat.collection.VariedCollection.Mutation;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rounds of changes on two devices in sync, interleaved with normal syncs: A changes and syncs, B
 * changes (without having seen A's changes) and syncs, A syncs again. After each round the two
 * digests are equal, and each side's changes that the other did not also touch are there as made.
 */
final class ChangeRounds {

    /** Every kind of change {@link VariedCollection#mutate} makes: each must be seen to cross at least once. */
    static final Set<String> CHANGE_KINDS = Set.of("edit note", "delete note", "add note", "remove tag",
            "suspend card", "move card", "add deck", "delete deck", "rename deck", "edit template and styling",
            "flag card");

    /** Makes one device carry out a normal sync (labelled for messages); returns what the client then requires. */
    @FunctionalInterface
    interface Syncer {
        SyncRequired sync(AnkiDevice device, String label) throws Exception;
    }

    private ChangeRounds() {
    }

    /**
     * Runs the rounds. Ends with both devices checked equal by the client's own Check Database too.
     */
    static void run(AnkiDevice a, AnkiDevice b, int rounds, Syncer sync) throws Exception {
        Set<String> kindsSeenCrossing = new TreeSet<>();
        AnkiRelease keptByBoth = CollectionDigest.keptByBoth(a, b);
        for (int round = 0; round < rounds; round++) {
            // Modification times are whole seconds, and on a tie both sides keep their own version
            // (the protocol's rule); a second apart, the later change wins everywhere. So a second
            // passes between one device's changes and the other's, as it would for a user. (A flag
            // leaves the card's time as it was, so without the pause it could tie with a change the
            // other device made in the very second the card was last changed.)
            Thread.sleep(1100);
            Mutation onA = mutateAndCheck(a, 100 + round, keptByBoth);
            // a normal sync is carried out inside the call; the client then reports no further action
            assertThat(sync.sync(a, "round " + round + ", A")).isEqualTo(SyncRequired.NO_CHANGES);
            Thread.sleep(1100);
            Mutation onB = mutateAndCheck(b, 200 + round, keptByBoth);
            assertThat(sync.sync(b, "round " + round + ", B")).isEqualTo(SyncRequired.NO_CHANGES);
            // A picks up B's changes
            sync.sync(a, "round " + round + ", A again");

            CollectionDigest digestA = CollectionDigest.of(a, keptByBoth);
            CollectionDigest digestB = CollectionDigest.of(b, keptByBoth);
            assertThat(digestA.sha256()).as("round %d: %s", round, CollectionDigest.diff(digestA, digestB))
                    .isEqualTo(digestB.sha256());
            List<Expectation> fromA = onA.independentOf(onB);
            List<Expectation> fromB = onB.independentOf(onA);
            assertThat(Mutation.unmet(fromA, digestB)).as("round %d: A's changes on B", round).isEmpty();
            assertThat(Mutation.unmet(fromB, digestA)).as("round %d: B's changes on A", round).isEmpty();
            fromA.forEach(e -> kindsSeenCrossing.add(e.kind()));
            fromB.forEach(e -> kindsSeenCrossing.add(e.kind()));
        }
        // the client's own check finds the same on both devices (the generator's changes can leave
        // a new card past position 1 000 000, which it reports); the releases check different things
        if (a.release() == b.release()) {
            assertThat(a.backend().checkDatabase()).isEqualTo(b.backend().checkDatabase());
        }
        assertThat(kindsSeenCrossing).as("kinds of change verified across devices").containsAll(CHANGE_KINDS);
    }

    /** Mutates and checks that the mutation's expectations hold on the device itself before any sync. */
    private static Mutation mutateAndCheck(AnkiDevice device, long seed, AnkiRelease keptByBoth) {
        Mutation mutation = VariedCollection.mutate(device, seed);
        assertThat(Mutation.unmet(mutation.expectations(), CollectionDigest.of(device, keptByBoth)))
                .as("seed %d: the generator's own expectations, before syncing", seed).isEmpty();
        return mutation;
    }
}
