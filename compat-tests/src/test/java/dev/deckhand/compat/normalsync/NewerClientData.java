package dev.deckhand.compat.normalsync;

import com.google.protobuf.ByteString;
import dev.deckhand.ankiclient.AnkiDevice;
import dev.deckhand.ankiclient.AnkiRelease;
import dev.deckhand.compat.collection.VariedCollection;
import org.json.JSONArray;
import org.json.JSONObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Anki 26.x writes and Anki 2.1.66 never does, written on a 26.x device through its own
 * backend, and the check that it is all still there: FSRS parameters, desired retention, easy
 * days and review order 12 in a preset; review order 10 in a filtered deck; FSRS memory state and
 * the last review time in card {@code data}; revlog rows of kind 5 (rescheduled); the config keys
 * {@code experimentalFeatures} and {@code customColorPickerPalette}.
 *
 * <p>Card data is checked on the cards whose {@code mod} is still the one written (and that no
 * round deleted): 2.1.66 drops
 * the keys it does not know from a card it saves, so a card the old device changed arrives back
 * without them, as the real client makes it (see {@code CollectionDigest#of(AnkiDevice, AnkiRelease)}).
 */
final class NewerClientData {

    private static final int CARDS = 8;
    private static final int REVLOG_ROWS = 5;

    private final String preset;
    private final Map<String, Object> presetKeys;
    private final long filteredDeckId;
    private final int filteredOrder;
    private final Map<String, Object> configKeys;
    /** card id -> [mod, data] */
    private final Map<Long, Object[]> cardData;
    private final List<Long> revlogIds;

    private NewerClientData(String preset, Map<String, Object> presetKeys, long filteredDeckId, int filteredOrder,
                            Map<String, Object> configKeys, Map<Long, Object[]> cardData, List<Long> revlogIds) {
        this.preset = preset;
        this.presetKeys = presetKeys;
        this.filteredDeckId = filteredDeckId;
        this.filteredOrder = filteredOrder;
        this.configKeys = configKeys;
        this.cardData = cardData;
        this.revlogIds = revlogIds;
    }

    /** Writes one set on {@code device} (a 26.x device); {@code generation} 1 or 2 picks different objects and values. */
    static NewerClientData write(AnkiDevice device, int generation) {
        assertThat(device.release()).isEqualTo(AnkiRelease.ANKI_26_09_3);
        String preset = generation == 1 ? "Default" : VariedCollection.SLOW_PRESET;
        JSONArray fsrsParams = new JSONArray();
        for (int i = 0; i < 21; i++) {
            fsrsParams.put(Math.round((0.1 + i * 0.37 + generation) * 10_000) / 10_000.0);
        }
        Map<String, Object> presetKeys = new LinkedHashMap<>();
        presetKeys.put("fsrsParams6", fsrsParams);
        presetKeys.put("desiredRetention", generation == 1 ? 0.87 : 0.93);
        presetKeys.put("easyDaysPercentages", new JSONArray(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0)));
        presetKeys.put("reviewOrder", 12);
        // one key per set, so the second set does not overwrite what the first one checks
        Map<String, Object> configKeys = generation == 1
                ? Map.of("experimentalFeatures", new JSONObject().put("someFlag", true))
                : Map.of("customColorPickerPalette", new JSONArray(List.of("#ff0000", "#00aa00", "#0000ff")));

        return device.call(() -> {
            JSONArray presets = new JSONArray(device.backend().allDeckConfigLegacy().toStringUtf8());
            for (int i = 0; i < presets.length(); i++) {
                JSONObject config = presets.getJSONObject(i);
                if (config.getString("name").equals(preset)) {
                    presetKeys.forEach(config::put);
                    device.backend().addOrUpdateDeckConfigLegacy(ByteString.copyFromUtf8(config.toString()));
                }
            }

            String filteredName = generation == 1 ? VariedCollection.CRAM_FILTERED_DECK : VariedCollection.QUICK_FILTERED_DECK;
            long filteredDeckId = device.backend().getDeckIdByName(filteredName);
            JSONObject filtered = new JSONObject(device.backend().getDeckLegacy(filteredDeckId).toStringUtf8());
            int filteredOrder = 10; // relative overdueness, new in 26.x
            filtered.getJSONArray("terms").getJSONArray(0).put(2, filteredOrder);
            device.backend().updateDeckLegacy(ByteString.copyFromUtf8(filtered.toString()));

            configKeys.forEach((key, value) -> device.backend().setConfigJson(key,
                    ByteString.copyFromUtf8(value.toString()), false));

            // FSRS state as 26.x stores it, on cards the other set does not use
            long now = System.currentTimeMillis() / 1000;
            List<List<Object>> cards = device.query("select id, data from cards order by id limit ? offset ?",
                    CARDS, (generation - 1) * CARDS);
            Map<Long, Object[]> cardData = new LinkedHashMap<>();
            List<List<?>> updates = new ArrayList<>();
            for (List<Object> card : cards) {
                long id = ((Number) card.get(0)).longValue();
                String old = (String) card.get(1);
                JSONObject data = old == null || old.isEmpty() ? new JSONObject() : new JSONObject(old);
                // rounded as 26.x rounds them whenever it saves a card (4, 3, 2 and 3 places)
                data.put("s", 12.3456 + generation).put("d", 5.432).put("dr", 0.87).put("decay", 0.154)
                        .put("lrt", now - 86_400L * generation);
                cardData.put(id, new Object[] {now, data.toString()});
                updates.add(List.of(data.toString(), now, id));
            }
            device.executeMany("update cards set data = ?, mod = ?, usn = -1 where id = ?", updates);

            // kind 5: cards rescheduled when FSRS settings changed
            List<Long> revlogIds = new ArrayList<>();
            List<List<?>> rows = new ArrayList<>();
            long firstId = System.currentTimeMillis() + generation * 1000L;
            for (int i = 0; i < REVLOG_ROWS; i++) {
                long cardId = cardData.keySet().stream().skip(i % cardData.size()).findFirst().orElseThrow();
                revlogIds.add(firstId + i);
                rows.add(List.of(firstId + i, cardId, 0, 12 + i, 3, 0, 0, 5));
            }
            device.executeMany("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                    + " values (?, ?, -1, ?, ?, ?, ?, ?, ?)", rows);
            return new NewerClientData(preset, presetKeys, filteredDeckId, filteredOrder, configKeys, cardData, revlogIds);
        });
    }

    /** Asserts that {@code device} (a 26.x device) holds all of this set unchanged. */
    void assertKeptBy(AnkiDevice device) {
        device.call(() -> {
            JSONArray presets = new JSONArray(device.backend().allDeckConfigLegacy().toStringUtf8());
            JSONObject config = null;
            for (int i = 0; i < presets.length(); i++) {
                if (presets.getJSONObject(i).getString("name").equals(preset)) {
                    config = presets.getJSONObject(i);
                }
            }
            assertThat(config).as("preset %s", preset).isNotNull();
            for (Map.Entry<String, Object> key : presetKeys.entrySet()) {
                assertThat(config.get(key.getKey()).toString()).as("preset %s: %s", preset, key.getKey())
                        .isEqualTo(key.getValue().toString());
            }

            JSONObject filtered = new JSONObject(device.backend().getDeckLegacy(filteredDeckId).toStringUtf8());
            assertThat(filtered.getJSONArray("terms").getJSONArray(0).getInt(2)).as("filtered deck order")
                    .isEqualTo(filteredOrder);

            configKeys.forEach((key, value) -> assertThat(
                    new JSONObject("{\"v\":" + device.backend().getConfigJson(key).toStringUtf8() + "}").get("v").toString())
                    .as("config %s", key).isEqualTo(value.toString()));

            int unchanged = 0;
            for (Map.Entry<Long, Object[]> card : cardData.entrySet()) {
                List<List<Object>> rows = device.query("select mod, data from cards where id = ?", card.getKey());
                // the rounds delete notes too
                if (!rows.isEmpty() && ((Number) rows.get(0).get(0)).longValue() == (long) card.getValue()[0]) {
                    assertThat(new JSONObject((String) rows.get(0).get(1)).similar(new JSONObject((String) card.getValue()[1])))
                            .as("card %d data %s, written %s", card.getKey(), rows.get(0).get(1), card.getValue()[1]).isTrue();
                    unchanged++;
                }
            }
            assertThat(unchanged).as("cards with FSRS data that neither device changed since").isPositive();

            for (long id : revlogIds) {
                assertThat(device.query("select type from revlog where id = ?", id))
                        .as("revlog %d", id).extracting(row -> ((Number) row.get(0)).intValue()).containsExactly(5);
            }
            return null;
        });
    }
}
