package deadline

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/bg"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/cz"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/dk"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/gr"
	"github.com/rickar/cal/v2/hr"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/lt"
	"github.com/rickar/cal/v2/lv"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/no"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/ro"
	"github.com/rickar/cal/v2/se"
	"github.com/rickar/cal/v2/si"
	"github.com/rickar/cal/v2/sk"
	"github.com/rickar/cal/v2/us"
)

// calendars maps a calendar code (ISO 3166-1 alpha-2, or ISO 3166-2 where a
// country's holidays differ by region) to the public holidays used to roll
// deadlines and count business days. The holiday rules come from
// github.com/rickar/cal/v2 rather than hand-typed date lists so that future
// years, Easter-based holidays and weekend substitutions stay correct without
// anyone maintaining a table.
//
// A code is absent, not approximated, when the library has no list for it:
// a wrong holiday list produces a wrong legal deadline, whereas an unknown code
// is a clear error the controller can fix in configuration.
var calendars = map[string][]*cal.Holiday{
	// The UK has no single bank-holiday list: gb.Holidays is the England and
	// Wales list (Scotland and Northern Ireland differ), hence GB-ENG and no
	// plain GB. GB-WLS and GB-EAW (England and Wales) are the same list.
	"GB-ENG": gb.Holidays,
	"GB-WLS": gb.Holidays,
	"GB-EAW": gb.Holidays,

	// us.Holidays is the list of US federal holidays (without the day after
	// Thanksgiving, which is not federal).
	"US": us.Holidays,
	"BR": br.Holidays,
	"CA": ca.Holidays,

	// EU/EEA member states the library covers.
	"AT": at.Holidays,
	"BE": be.Holidays,
	"BG": bg.Holidays,
	"CZ": cz.Holidays,
	"DE": de.Holidays,
	"DK": dk.Holidays,
	"ES": es.Holidays,
	"FR": fr.Holidays,
	"GR": gr.Holidays,
	"EL": gr.Holidays, // the EU's own code for Greece
	"HR": hr.Holidays,
	"IE": ie.Holidays,
	"IT": it.Holidays,
	"LT": lt.Holidays,
	"LV": lv.Holidays,
	"NL": nl.Holidays,
	"NO": no.Holidays,
	"PL": pl.Holidays,
	"RO": ro.Holidays,
	"SE": se.Holidays,
	"SI": si.Holidays,
	"SK": sk.Holidays,

	// German public holidays are largely set by the Länder; a controller
	// established in Bavaria counts Epiphany and All Saints as non-working.
	"DE-BW": de.HolidaysBW,
	"DE-BY": de.HolidaysBY,
	"DE-BE": de.HolidaysBE,
	"DE-BB": de.HolidaysBB,
	"DE-HB": de.HolidaysHB,
	"DE-HH": de.HolidaysHH,
	"DE-HE": de.HolidaysHE,
	"DE-MV": de.HolidaysMV,
	"DE-NI": de.HolidaysNI,
	"DE-NW": de.HolidaysNW,
	"DE-RP": de.HolidaysRP,
	"DE-SL": de.HolidaysSL,
	"DE-SN": de.HolidaysSN,
	"DE-ST": de.HolidaysST,
	"DE-SH": de.HolidaysSH,
	"DE-TH": de.HolidaysTH,
}

// Calendars returns the supported calendar codes, sorted, e.g. for a
// configuration form or an error message.
func Calendars() []string {
	codes := make([]string, 0, len(calendars))
	for code := range calendars {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	return codes
}

// newCalendar builds the business calendar for a code (case-insensitive):
// Monday to Friday, minus the code's public holidays.
//
// It builds a fresh calendar on every call, and leaves the library's holiday
// cache off, because the cache is an unsynchronised map: a calendar shared
// between goroutines (web handlers, workflow activities) would race.
func newCalendar(code string) (*cal.BusinessCalendar, error) {
	norm := strings.ToUpper(strings.TrimSpace(code))
	hols, ok := calendars[norm]
	if !ok {
		return nil, fmt.Errorf("unknown calendar %q (known: %s)", code, strings.Join(Calendars(), ", "))
	}
	c := cal.NewBusinessCalendar()
	c.Name = norm
	c.AddHoliday(hols...)
	return c, nil
}

// isWorkingDay reports whether d is neither a weekend day nor a public holiday
// in c. A holiday's own date counts as well as its substitute ("observed")
// day: the library's IsWorkday looks at the substitute only, and the rules say
// "a public holiday in the calendar", not "an observed holiday".
func isWorkingDay(c *cal.BusinessCalendar, d Date) bool {
	// Noon UTC: the calendar only looks at the civil date, and noon keeps
	// any time-zone conversion from shifting it to a neighbouring day.
	t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	if !c.IsWorkday(t) {
		return false
	}
	actual, _, _ := c.IsHoliday(t)
	return !actual
}
