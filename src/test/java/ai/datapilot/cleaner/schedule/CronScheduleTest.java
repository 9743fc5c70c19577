package ai.datapilot.cleaner.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        "0 0 3 * * ? 2030 | 0 0 3 * * ? 2030",
    })
    void crontabAndQuartzFormsBecomeQuartz(String given, String quartz) {
        assertThat(CronSchedule.parse(given).quartz()).isEqualTo(quartz);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "0 3 * *", "0 3 * * * * * *", "61 * * * *", "0 25 * * *", "0 3 1 * 1", "0 3 * * 8",
        "0 3 * * 5-1", "0 0 3 * * *", "every day", "0 3 * * x"})
    void badSchedulesAreRefusedWithAReason(String given) {
        assertThatThrownBy(() -> CronSchedule.parse(given)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(has|is|restricts) .+");
    }
}
