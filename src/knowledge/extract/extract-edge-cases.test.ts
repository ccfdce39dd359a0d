import { describe, expect, it } from 'vitest';
import type { CrawledPage } from '../crawler/crawl-types.js';
import { extractFacts, extractFactsDetailed } from './extract-facts.js';
import type { ExtractedFact } from './fact-types.js';
import { find, htmlPage } from './test-helpers.js';

/** Small handmade pages for what the fixture sites do not cover. */

const wrap = (body: string, head = ''): string => `<!doctype html><html><head><title>Test page</title>${head}</head><body>${body}</body></html>`;
const extract = (body: string, head = '', url = 'https://shop.test/'): ExtractedFact[] => extractFacts(htmlPage(url, wrap(body, head)));
const ld = (data: unknown): string => `<script type="application/ld+json">${JSON.stringify(data)}</script>`;

describe('JSON-LD', () => {
  it('reads a LocalBusiness subtype inside @graph, with openingHoursSpecification, offers and FAQPage', () => {
    const facts = extract(
      '<main><p>Welcome to our family plumbing business, proudly serving the valley.</p></main>',
      ld({
        '@context': 'https://schema.org',
        '@graph': [
          { '@type': 'WebSite', name: 'Ace site', url: 'https://ace.test' },
          {
            '@type': ['LocalBusiness', 'Plumber'],
            name: 'Ace Plumbing',
            telephone: '+1 (312) 555-0199',
            email: 'mailto:Info@AcePlumbing.com',
            foundingDate: '1998-04-01',
            priceRange: '$$',
            address: { '@type': 'PostalAddress', streetAddress: '42 Water St', addressLocality: 'Springfield', addressRegion: 'IL', postalCode: '62701', addressCountry: 'US' },
            openingHoursSpecification: [
              { '@type': 'OpeningHoursSpecification', dayOfWeek: ['https://schema.org/Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'], opens: '08:00', closes: '18:00' },
              { '@type': 'OpeningHoursSpecification', dayOfWeek: 'Saturday', opens: '09:00:00', closes: '14:00:00' },
            ],
            makesOffer: [{ '@type': 'Offer', itemOffered: { '@type': 'Service', name: 'Drain cleaning' }, price: '149', priceCurrency: 'USD' }],
            areaServed: ['Springfield', 'Chatham'],
          },
          {
            '@type': 'FAQPage',
            mainEntity: [{ '@type': 'Question', name: 'Do you charge for estimates?', acceptedAnswer: { '@type': 'Answer', text: '<p>No, estimates are <b>free</b>.</p>' } }],
          },
        ],
      }),
    );
    expect(find(facts, (f) => f.factKey === 'name')).toMatchObject({ category: 'about', content: 'The business is called Ace Plumbing.' });
    expect(find(facts, (f) => f.factKey === 'phone')).toMatchObject({ category: 'contact', value: '3125550199', content: 'The phone number is (312) 555-0199.' });
    expect(find(facts, (f) => f.factKey === 'email')).toMatchObject({ value: 'info@aceplumbing.com' });
    expect(find(facts, (f) => f.factKey === 'address')).toMatchObject({ category: 'location', content: 'The address is 42 Water St, Springfield, IL 62701.' });
    expect(find(facts, (f) => f.factKey === 'founded')).toMatchObject({ category: 'about', value: '1998' });
    const hours = find(facts, (f) => f.factKey === 'hours');
    expect(hours).toMatchObject({ category: 'hours', content: 'Monday to Friday 8 AM to 6 PM; Saturday 9 AM to 2 PM.' });
    // A weekly specification that leaves Sunday out means closed on Sunday.
    expect(hours.value).toBe('mon 08:00-18:00; tue 08:00-18:00; wed 08:00-18:00; thu 08:00-18:00; fri 08:00-18:00; sat 09:00-14:00; sun closed');
    expect(find(facts, (f) => f.title === 'Price: Drain cleaning')).toMatchObject({ category: 'pricing', content: 'Drain cleaning: $149.' });
    expect(find(facts, (f) => f.title === 'Price range').category).toBe('pricing');
    expect(find(facts, (f) => f.category === 'service_area').content).toBe('Service area: Springfield and Chatham.');
    expect(find(facts, (f) => f.title === 'Do you charge for estimates?')).toMatchObject({ category: 'pricing', content: 'No, estimates are free.' });
  });

  it('repairs trailing commas and ignores JSON-LD that cannot be parsed, keeping the rest of the page', () => {
    const head =
      '<script type="application/ld+json">{"@type": "Dentist", "name": "Bright Smiles", "telephone": "(415) 555-0142",}</script>' +
      '<script type="application/ld+json">{"@type": "Dentist", "name": "Broken" "telephone": </script>';
    const facts = extract('<main><h2>Our services</h2><p>We offer cleanings, fillings and whitening for the whole family.</p></main>', head);
    expect(find(facts, (f) => f.factKey === 'name').content).toBe('The business is called Bright Smiles.');
    expect(find(facts, (f) => f.factKey === 'phone').value).toBe('4155550142');
    expect(facts.some((f) => f.content.includes('Broken'))).toBe(false);
    expect(find(facts, (f) => f.title === 'Our services').category).toBe('services');
  });

  it('reads openingHours strings and nested businesses (a service provider)', () => {
    const facts = extract(
      '',
      ld([
        { '@type': 'CafeOrCoffeeShop', name: 'Bean There', openingHours: ['Mo-Fr 07:00-19:00', 'Sa,Su 08:00-16:00'] },
        { '@type': 'Service', name: 'Catering', provider: { '@type': 'Restaurant', name: 'Bean There', telephone: '212-555-0188' } },
      ]),
    );
    expect(find(facts, (f) => f.factKey === 'hours').content).toBe('Monday to Friday 7 AM to 7 PM; Saturday and Sunday 8 AM to 4 PM.');
    expect(find(facts, (f) => f.factKey === 'phone').value).toBe('2125550188');
    expect(find(facts, (f) => f.title === 'Catering').category).toBe('services');
    expect(facts.filter((f) => f.factKey === 'name')).toHaveLength(1);
  });
});

describe('microdata', () => {
  it('reads an itemscope LocalBusiness with a nested PostalAddress and openingHours meta', () => {
    const facts = extract(`
      <div itemscope itemtype="https://schema.org/Dentist">
        <h1 itemprop="name">Maple Dental</h1>
        <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
          <span itemprop="streetAddress">9 Maple Ave</span>, <span itemprop="addressLocality">Portland</span>,
          <span itemprop="addressRegion">OR</span> <span itemprop="postalCode">97201</span>
        </div>
        <a itemprop="telephone" href="tel:+15035550123">Call us</a>
        <meta itemprop="openingHours" content="Mo-Th 08:00-17:00">
        <meta itemprop="priceRange" content="$$">
      </div>`);
    expect(find(facts, (f) => f.factKey === 'name').value).toBe('maple dental');
    expect(find(facts, (f) => f.factKey === 'address').content).toBe('The address is 9 Maple Ave, Portland, OR 97201.');
    expect(find(facts, (f) => f.factKey === 'phone').value).toBe('5035550123');
    expect(find(facts, (f) => f.factKey === 'hours').content).toBe('Monday to Thursday 8 AM to 5 PM.');
  });
});

describe('page chrome', () => {
  it('yields nothing for a page that is only navigation', () => {
    const facts = extract(`
      <header><nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li><li><a href="/services">Services</a></li></ul></nav></header>
      <nav class="breadcrumbs"><a href="/">Home</a> › <a href="/blog">Blog</a></nav>
      <footer><ul class="footer-links"><li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li></ul></footer>`);
    expect(facts).toEqual([]);
  });

  it('drops cookie banners, menus, scripts and hidden UI but keeps a food menu', () => {
    const facts = extract(`
      <div class="cookie-banner"><p>We use cookies to improve your experience on our website. Accept all cookies?</p><button>Accept</button></div>
      <script>var phone = "(555) 111-2222";</script>
      <div class="modal" style="display:none"><p>Sign up for our newsletter and never miss an update from us.</p></div>
      <main>
        <section class="menu"><h2>Breakfast menu</h2><p>Eggs any style with toast, hash browns and fresh fruit, served until 11.</p><p>Buttermilk pancakes with maple syrup and whipped butter.</p></section>
      </main>`);
    expect(facts.some((f) => /cookies|newsletter/i.test(f.content))).toBe(false);
    expect(facts.some((f) => f.value === '5551112222')).toBe(false);
    expect(find(facts, (f) => f.title === 'Breakfast menu').category).toBe('products');
  });

  it('reads contact details from the footer but keeps the footer out of content sections', () => {
    const facts = extract(`
      <main><h1>Welcome</h1><p>Family-owned bakery baking sourdough and pastries every morning.</p></main>
      <footer><p>Call us: 555-867-5309 · hello@crumbbakery.com</p><address>77 Baker Street<br>Springfield, IL 62704</address>
      <p>Mon-Fri 6am-2pm<br>Sat 7am-1pm<br>Sunday: Closed</p><p>© 2024 Crumb Bakery. All rights reserved.</p></footer>`);
    expect(find(facts, (f) => f.factKey === 'phone').value).toBe('5558675309');
    expect(find(facts, (f) => f.factKey === 'email').value).toBe('hello@crumbbakery.com');
    expect(find(facts, (f) => f.factKey === 'address').value).toBe('77 baker st springfield il 62704');
    expect(find(facts, (f) => f.factKey === 'hours').content).toBe('Monday to Friday 6 AM to 2 PM; Saturday 7 AM to 1 PM; closed Sunday.');
    expect(find(facts, (f) => f.factKey === 'name').content).toBe('The business is called Crumb Bakery.');
    expect(facts.filter((f) => !f.factKey).every((f) => !f.content.includes('All rights reserved'))).toBe(true);
  });
});

describe('hours', () => {
  it('reads an hours table and an hours definition list', () => {
    const table = extract(`<main><h2>Opening hours</h2><table>
      <tr><td>Mon-Fri</td><td>8:00 AM - 6:00 PM</td></tr><tr><td>Saturday</td><td>9 AM - 2 PM</td></tr><tr><td>Sunday</td><td>Closed</td></tr></table></main>`);
    expect(find(table, (f) => f.factKey === 'hours').content).toBe('Monday to Friday 8 AM to 6 PM; Saturday 9 AM to 2 PM; closed Sunday.');
    expect(table.filter((f) => f.category === 'hours')).toHaveLength(1);

    const dl = extract('<main><dl><dt>Monday</dt><dd>Closed</dd><dt>Tuesday - Saturday</dt><dd>11:30am - 10pm</dd><dt>Sunday</dt><dd>noon to 9</dd></dl></main>');
    expect(find(dl, (f) => f.factKey === 'hours').content).toBe('Closed Monday; Tuesday to Saturday 11:30 AM to 10 PM; Sunday noon to 9 PM.');
  });

  it('does not turn prose that mentions a day into a schedule', () => {
    const facts = extract('<main><p>We offer extended hours on Tuesdays and Thursdays until 7:00 PM for working families.</p></main>');
    expect(facts.some((f) => f.factKey === 'hours')).toBe(false);
  });

  it('files holiday and emergency schedules apart from the opening hours', () => {
    const facts = extract('<main><h3>Emergency hours</h3><ul><li>Saturday 8am-8pm</li><li>Sunday 10am-4pm</li></ul></main>');
    const f = find(facts, (x) => x.title === 'Emergency hours');
    expect(f).toMatchObject({ category: 'emergency', content: 'Emergency hours: Saturday 8 AM to 8 PM; Sunday 10 AM to 4 PM.' });
    expect(f.factKey).toBeUndefined();
  });
});

describe('contacts', () => {
  it('normalises US phone formats, labels emergency and fax lines, and skips placeholder emails', () => {
    const facts = extract(`<main>
      <p>Office: <a href="tel:+1-617-555-0100">617.555.0100</a></p>
      <p>24/7 emergency line: (617) 555-0111</p>
      <p>Fax: 617 555 0122</p>
      <p>Write to user@example.com or you@yourdomain.com, or to <a href="mailto:office@harborplumbing.com?subject=Hi">office@harborplumbing.com</a>.</p>
      <p>Order #12345678 and ZIP 02110-1234 are not phone numbers.</p></main>`);
    expect(facts.filter((f) => f.factKey === 'phone').map((f) => f.value)).toEqual(['6175550100']);
    expect(find(facts, (f) => f.factKey === 'emergency_phone')).toMatchObject({ category: 'emergency', value: '6175550111', content: 'For emergencies, call (617) 555-0111.' });
    expect(find(facts, (f) => f.factKey === 'fax').value).toBe('6175550122');
    expect(facts.filter((f) => f.factKey === 'email').map((f) => f.value)).toEqual(['office@harborplumbing.com']);
  });

  it('finds US street addresses in running text', () => {
    const facts = extract('<main><p>Visit our showroom at 1200 N. Elm Street, Suite 4, Dallas, TX 75201 — free parking out back.</p></main>');
    expect(find(facts, (f) => f.factKey === 'address').content).toBe('The address is 1200 N. Elm Street, Suite 4, Dallas, TX 75201.');
  });
});

describe('prices, FAQs, events, founding', () => {
  it('turns price lists, price tables and price cards into pricing facts', () => {
    const facts = extract(`<main><h2>Our prices</h2>
      <ul><li>Teeth whitening ........ $299</li><li>New patient exam – from $89</li></ul>
      <table><tr><th>Service</th><th>Price</th></tr><tr><td>Drain cleaning</td><td>$149</td></tr><tr><td>Water heater flush</td><td>$95 - $120</td></tr></table>
      <div class="card"><h3>Emergency call-out</h3><p class="price">$75/hour</p></div></main>`);
    expect(find(facts, (f) => f.title === 'Price: Teeth whitening')).toMatchObject({ category: 'pricing', content: 'Teeth whitening: $299.', factKey: 'price:teeth whitening', value: '$299' });
    expect(find(facts, (f) => f.title === 'Price: New patient exam').content).toBe('New patient exam: from $89.');
    expect(find(facts, (f) => f.title === 'Price: Drain cleaning').content).toBe('Drain cleaning: $149.');
    expect(find(facts, (f) => f.title === 'Price: Water heater flush').content).toBe('Water heater flush: $95 to $120.');
    expect(find(facts, (f) => f.title === 'Price: Emergency call-out').content).toBe('Emergency call-out: $75 per hour.');
  });

  it('finds FAQ pairs in dt/dd, question headings and accordions, and files them by topic', () => {
    const facts = extract(`<main><h2>FAQ</h2>
      <dl><dt>Do you take walk-ins?</dt><dd>Yes, walk-ins are welcome before noon every weekday.</dd></dl>
      <h3>Does teeth whitening hurt?</h3><p>Most patients feel little or no sensitivity during treatment.</p>
      <div class="accordion"><button class="accordion-button">Do you accept credit cards?</button><div class="accordion-collapse"><p>We accept Visa, Mastercard and Amex.</p></div></div>
      </main>`);
    expect(find(facts, (f) => f.title === 'Do you take walk-ins?')).toMatchObject({ category: 'booking', content: 'Yes, walk-ins are welcome before noon every weekday.' });
    expect(find(facts, (f) => f.title === 'Does teeth whitening hurt?').category).toBe('faq');
    expect(find(facts, (f) => f.title === 'Do you accept credit cards?')).toMatchObject({ category: 'payment', content: 'We accept Visa, Mastercard and Amex.' });
    // The answers are not repeated as a content section.
    expect(facts.filter((f) => f.content.includes('walk-ins are welcome'))).toHaveLength(1);
  });

  it('keeps dated news and events with their dates', () => {
    const facts = extract(`<main><h2>News &amp; events</h2>
      <article class="event"><h3>Fall coffee tasting</h3><time datetime="2025-10-04">October 4, 2025</time><p>Join us for a free tasting of our new single-origin roasts.</p></article>
      <ul><li>March 3, 2025: We now open at 6 AM on weekdays.</li></ul></main>`);
    expect(find(facts, (f) => f.title === 'Fall coffee tasting')).toMatchObject({ category: 'news_events' });
    expect(find(facts, (f) => f.title === 'Fall coffee tasting').content).toContain('October 4, 2025');
    expect(find(facts, (f) => f.content.startsWith('March 3, 2025')).category).toBe('news_events');
  });

  it('reads founding years but never invents one from a duration', () => {
    const since = extract('<main><p>Family owned and serving Springfield since 1998.</p></main>');
    expect(find(since, (f) => f.factKey === 'founded')).toMatchObject({ category: 'about', value: '1998' });
    const est = extract('<footer><p>Est. 1952</p></footer>');
    expect(find(est, (f) => f.factKey === 'founded').value).toBe('1952');

    const duration = extract('<main><p>With over 25 years of service in the valley, we know plumbing.</p></main>');
    expect(duration.some((f) => f.factKey === 'founded')).toBe(false);
    expect(find(duration, (f) => f.title === 'Years in business').content).toBe('The business has been operating for over 25 years.');

    const patient = extract('<main><blockquote><p>I have been a patient since 2019 and love this office!</p></blockquote></main>');
    expect(patient.some((f) => f.factKey === 'founded')).toBe(false);
  });
});

describe('categorising by URL, title and headings', () => {
  it('uses the URL path for policy pages and the reason explains the choice', () => {
    const page = htmlPage('https://shop.test/legal/refund-policy', wrap('<main><h2>Returns</h2><p>Unused items can be returned within 30 days with a receipt for a full refund.</p></main>'));
    const [fact] = extractFactsDetailed(page);
    expect(fact).toMatchObject({ category: 'policies', kind: 'section' });
    expect(fact!.reason).toMatch(/legal page \(url \/legal\)/);
  });

  it('files sections by their headings: emergency, payment, credentials, amenities, service area, promotions', () => {
    const facts = extract(`<main>
      <h2>24/7 Emergency Service</h2><p>Burst pipe at midnight? Our technicians are on call around the clock.</p>
      <h2>Financing available</h2><p>We offer payment plans and accept all major credit cards and insurance.</p>
      <h2>Licensed &amp; insured</h2><p>Every technician is licensed, bonded and certified by the state board.</p>
      <h2>Accessibility</h2><p>Our store is wheelchair accessible with free Wi-Fi and seating for twenty.</p>
      <h2>Areas we serve</h2><p>Springfield, Chatham, Rochester and the surrounding areas within 30 miles.</p>
      <h2>Spring special</h2><p>Get 15% off any drain cleaning with this coupon through May 31.</p>
      <h2>Special offer</h2><p>Save $20 off your first cleaning when you book online.</p></main>`);
    const category = (title: string): string => find(facts, (f) => f.title === title).category;
    expect(category('24/7 Emergency Service')).toBe('emergency');
    expect(category('Financing available')).toBe('payment');
    expect(category('Licensed & insured')).toBe('credentials');
    expect(category('Accessibility')).toBe('amenities');
    expect(category('Areas we serve')).toBe('service_area');
    expect(category('Spring special')).toBe('promotions');
    // A dollar amount taken off is a promotion, not a price-list item.
    expect(category('Special offer')).toBe('promotions');
    expect(facts.some((f) => f.title.startsWith('Price:'))).toBe(false);
  });
});

describe('robustness', () => {
  it('handles a huge page fast and caps what it returns', () => {
    const section = (i: number): string =>
      `<section><h2>Service ${i}</h2><p>${'We repair leaking faucets, replace water heaters and unclog drains for homeowners. '.repeat(6)}</p><ul><li>Call (555) 010-${String(1000 + (i % 9000)).slice(-4)}</li><li>Price $${i}</li></ul></section>`;
    const html = wrap(`<main>${Array.from({ length: 6000 }, (_, i) => section(i)).join('')}</main>`);
    expect(html.length).toBeGreaterThan(3_000_000);
    const started = performance.now();
    const facts = extractFacts(htmlPage('https://big.test/', html));
    const ms = performance.now() - started;
    expect(facts.length).toBeGreaterThan(0);
    expect(facts.length).toBeLessThanOrEqual(300);
    expect(ms).toBeLessThan(30_000); // linear in the page; a quadratic pass would take minutes
  });

  it('splits a long section into parts of at most 1500 characters', () => {
    const long = Array.from({ length: 40 }, (_, i) => `<p>Paragraph ${i} explains one more detail about how our cleaning service works in practice.</p>`).join('');
    const facts = extract(`<main><h2>How it works</h2>${long}</main>`);
    const parts = facts.filter((f) => f.title.startsWith('How it works'));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((f) => f.content.length <= 1500)).toBe(true);
    expect(parts[1]!.title).toBe('How it works (part 2)');
  });

  it('returns nothing for error pages and reads plain-text documents', () => {
    const notFound: CrawledPage = { ...htmlPage('https://shop.test/missing', wrap('<main><p>Call 555-222-3333</p></main>')), status: 404 };
    expect(extractFacts(notFound)).toEqual([]);
    const pdf: CrawledPage = {
      url: 'https://shop.test/menu.pdf', finalUrl: 'https://shop.test/menu.pdf', status: 200, contentType: 'application/pdf', rendered: false, depth: 1, bytes: 100,
      text: 'Harbor Cafe menu\n\nEspresso drinks, pour-over coffee and fresh pastries baked every morning in our kitchen.\n\nCall 617-555-0199 to order ahead.',
    };
    const facts = extractFacts(pdf);
    expect(find(facts, (f) => f.factKey === 'phone').value).toBe('6175550199');
    expect(find(facts, (f) => f.content.includes('pour-over')).sourceUrl).toBe('https://shop.test/menu.pdf');
  });
});
