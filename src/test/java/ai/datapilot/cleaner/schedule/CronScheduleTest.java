package ai.datapilot.cleaner.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.datapilot.cleaner.settings.Refusal;
import ai.datapilot.cleaner.settings.SettingsParser;
import ai.datapilot.cleaner.settings.SettingsRefusedException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronScheduleTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "0 3 * * *        | 0 0 3 * * ?",
        "*/15 * * * *     | 0 */15 * * * ?",
        "0 3 * * 1-5      | 0 0 3 ? * MON,TUE,WED,THU,FRI",
        "0 3 * * 0        | 0 0 3 ? * SUN",
        "0 3 * * 7        | 0 0 3 ? * SUN",
        "0 3 * * 5-7      | 0 0 3 ? * SUN,FRI,SAT",
        "0 3 * * */2      | 0 0 3 ? * SUN,TUE,THU,SAT",
        "0 3 * * sat,sun  | 0 0 3 ? * SUN,SAT",
        "30 2 1 * *       | 0 30 2 1 * ?",
        "0 3 * 1-6 *      | 0 0 3 * 1-6 ?",
        "@daily           | 0 0 0 * * ?",
        "@hourly          | 0 0 * * * ?",
        "0 0 3 * * ?      | 0 0 3 * * ?",
        "0 0 3 ? * MON-FRI | 0 0 3 ? * MON-FRI",
        "0 0 3 * * ? 2026-2099 | 0 0 3 * * ? 2026-2099",
    })
    void crontabAndQuartzFormsBecomeQuartz(String given, String quartz) {
        assertThat(CronSchedule.parse(given).quartz()).isEqualTo(quartz);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "0 3 * *", "0 3 * * * * * *", "61 * * * *", "0 25 * * *", "0 3 1 * 1", "0 3 * * 8",
        "0 3 * * 5-1", "0 0 3 * * *", "every day", "0 3 * * x",
        // never due, or a step of 0 that Quartz reads as 1
        "0 3 31 2 *", "0 3 30 2 *", "0 0 3 31 2 ?", "0 0 3 * * ? 2020", "*/0 * * * *", "0 */0 * * *", "0 3 */0 * *",
        "0 3 * */0 *", "0 3 * * */0", "0 0/0 * * * ?", "*/0 * * * * ?", "0 0 3 1/0 * ?", "*/x * * * *", "*/ * * * *",
        // crontab has no wrapping ranges
        "50-10 * * * *", "0 22-2 * * *", "0 3 20-10 * *", "0 3 * 12-1 *", "0 3 * dec-jan *"})
    void badSchedulesAreRefusedWithAReason(String given) {
        assertThatThrownBy(() -> CronSchedule.parse(given)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(has|is|restricts) .+");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0 3 29 2 *", "0 3 * * */1", "*/1 * * * *", "0 3 1-31/2 * *", "0 3 * jan-dec *", "0 0 3 L * ?"})
    void rareButRealSchedulesAreAccepted(String given) {
        assertThat(CronSchedule.parse(given).quartz()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "0 3 31 2 *  | is never due",
        "*/0 * * * * | has a step of 0 (\"*/0\") in the minute field",
    })
    void theSettingIsRefusedNamingVariableValueAndFix(String given, String problem, @TempDir Path root) {
        SettingsRefusedException e = catchThrowableOfType(SettingsRefusedException.class,
                () -> SettingsParser.parse(Map.of("LOCAL_STORAGE_ROOT", root.toString(), "CLEANER_CRON_SCHEDULE", given)));

        assertThat(e).as("refused").isNotNull();
        assertThat(e.refusals()).hasSize(1);
        Refusal r = e.refusals().get(0);
        assertThat(r.message()).startsWith("CLEANER_CRON_SCHEDULE=\"" + given + "\" refused: " + problem)
                .contains("; fix: set CLEANER_CRON_SCHEDULE to");
    }
}
