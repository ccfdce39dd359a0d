import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { categoryKeys } from '../categories.js';
import { extractFacts } from './extract-facts.js';
import type { ExtractedFact } from './fact-types.js';
import { conflicts, find, fixturePage, SITES } from './test-helpers.js';

/** The three real fixture sites under shared/fixtures/sites, read straight from disk. */

function htmlFiles(site: string): string[] {
  const root = fileURLToPath(new URL(`${site}/`, SITES));
  const out: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (statSync(`${dir}/${name}`).isDirectory()) walk(`${dir}/${name}`, `${prefix}${name}/`);
      else if (name.endsWith('.html')) out.push(`${prefix}${name}`);
    }
  };
  walk(root, '');
  return out;
}

function siteFacts(site: string): Map<string, ExtractedFact[]> {
  return new Map(htmlFiles(site).map((path) => [path, extractFacts(fixturePage(site, path))]));
}

const coffee = siteFacts('business-casual-coffee');
const plumbing = siteFacts('flowmaster-plumbing');
const dental = siteFacts('wisdom-bites-dental');
const all = (site: Map<string, ExtractedFact[]>): ExtractedFact[] => [...site.values()].flat();
const page = (site: Map<string, ExtractedFact[]>, path: string): ExtractedFact[] => {
  const facts = site.get(path);
  if (!facts) throw new Error(`no fixture page ${path}`);
  return facts;
};

describe('every fixture page', () => {
  for (const [name, site] of [['coffee', coffee], ['plumbing', plumbing], ['dental', dental]] as const) {
    it(`${name}: valid categories, own source URL, speakable size, no repeats`, () => {
      for (const [path, facts] of site) {
        expect(facts.length, path).toBeGreaterThan(0);
        const keyed = new Set<string>();
        const texts = new Set<string>();
        for (const f of facts) {
          expect(categoryKeys, `${path}: ${f.title}`).toContain(f.category);
          expect(f.sourceUrl).toBe(`https://${name === 'coffee' ? 'business-casual-coffee' : name === 'plumbing' ? 'flowmaster-plumbing' : 'wisdom-bites-dental'}.test/${path}`);
          expect(f.content.length, `${path}: ${f.title}`).toBeLessThanOrEqual(1500);
          expect(f.title.trim().length).toBeGreaterThan(0);
          expect(Boolean(f.factKey) === Boolean(f.value), `${path}: ${f.title}`).toBe(true);
          if (f.factKey) {
            const key = `${f.factKey}=${f.value}`;
            expect(keyed.has(key), `${path}: repeated ${key}`).toBe(false);
            keyed.add(key);
          }
          const text = `${f.title}|${f.content}`;
          expect(texts.has(text), `${path}: repeated ${text}`).toBe(false);
          texts.add(text);
        }
      }
    });
  }
});

describe('business-casual-coffee', () => {
  it('reads the hours list of the store page into one canonical schedule', () => {
    const hours = find(page(coffee, 'store.html'), (f) => f.factKey === 'hours');
    expect(hours.category).toBe('hours');
    expect(hours.content).toBe('Monday to Friday 7 AM to 8 PM; Saturday 9 AM to 5 PM; closed Sunday.');
    expect(hours.value).toBe('mon 07:00-20:00; tue 07:00-20:00; wed 07:00-20:00; thu 07:00-20:00; fri 07:00-20:00; sat 09:00-17:00; sun closed');
  });

  it('finds the phone and the street address (full state name, no ZIP)', () => {
    const facts = page(coffee, 'store.html');
    expect(find(facts, (f) => f.factKey === 'phone')).toMatchObject({ category: 'contact', value: '3175858468' });
    const address = find(facts, (f) => f.factKey === 'address');
    expect(address.category).toBe('location');
    expect(address.content).toContain('1116 Orchard Street, Golden Valley, Minnesota');
  });

  it('files the founding year under about, and the menu pages under products', () => {
    expect(find(page(coffee, 'about.html'), (f) => f.factKey === 'founded')).toMatchObject({ category: 'about', value: '1987' });
    const products = page(coffee, 'products.html');
    for (const title of ['Coffees & Teas', 'Bakery & Kitchen', 'Bulk Speciality Blends']) {
      expect(find(products, (f) => f.title.includes(title)).category).toBe('products');
    }
  });

  it('never invents a name: the theme title and "Your Website" placeholder are not the shop', () => {
    expect(all(coffee).filter((f) => f.factKey === 'name')).toEqual([]);
  });

  it('keeps the theme header out of the content', () => {
    expect(all(coffee).some((f) => /Start Bootstrap|A Free Bootstrap Business Theme/.test(f.content))).toBe(false);
  });
});

describe('flowmaster-plumbing', () => {
  it('extracts both the placeholder number on the contact page and the footer number, each with its source', () => {
    const contact = page(plumbing, 'contact.html');
    const phones = contact.filter((f) => f.factKey === 'phone');
    expect(phones.map((f) => f.value).sort()).toEqual(['5550000000', '5559875432']);
    expect(phones.every((f) => f.category === 'contact' && f.sourceUrl === 'https://flowmaster-plumbing.test/contact.html')).toBe(true);

    const phoneConflict = conflicts(all(plumbing)).get('phone');
    expect(phoneConflict).toBeDefined();
    expect([...phoneConflict!.keys()].sort()).toEqual(['5550000000', '5559875432']);
    expect(phoneConflict!.get('5550000000')).toEqual(expect.arrayContaining(['https://flowmaster-plumbing.test/contact.html', 'https://flowmaster-plumbing.test/privacy.html']));
  });

  it('ignores the obviously fake hello@example.com but keeps the real support address', () => {
    expect(all(plumbing).some((f) => f.content.includes('hello@example.com') && f.factKey === 'email')).toBe(false);
    expect(find(page(plumbing, 'index.html'), (f) => f.factKey === 'email')).toMatchObject({ category: 'contact', value: 'support@getflowmaster.com' });
  });

  it('reads "Mon–Sun: 9:00 AM – 8:00 PM" from the contact card', () => {
    expect(find(page(plumbing, 'contact.html'), (f) => f.factKey === 'hours')).toMatchObject({
      category: 'hours',
      content: 'Every day 9 AM to 8 PM.',
      value: 'mon 09:00-20:00; tue 09:00-20:00; wed 09:00-20:00; thu 09:00-20:00; fri 09:00-20:00; sat 09:00-20:00; sun 09:00-20:00',
    });
  });

  it('files the privacy, terms and cookie pages under policies', () => {
    for (const path of ['privacy.html', 'terms.html', 'cookies.html']) {
      const sections = page(plumbing, path).filter((f) => !f.factKey && !['service_area'].includes(f.category));
      expect(sections.length, path).toBeGreaterThanOrEqual(5);
      expect(sections.every((f) => f.category === 'policies'), path).toBe(true);
    }
    expect(find(page(plumbing, 'cookies.html'), (f) => f.title === 'How we use cookies').content).toContain('Remember your cookie preference');
    expect(find(page(plumbing, 'terms.html'), (f) => f.title === 'Limitation of liability').category).toBe('policies');
  });

  it('files the service descriptions under services and the accordion questions by topic', () => {
    const services = page(plumbing, 'services.html');
    for (const title of ['Leak repair', 'Water heaters', 'Garbage disposals', 'Installations']) {
      expect(find(services, (f) => f.title === title).category).toBe('services');
    }
    expect(find(services, (f) => f.title === 'How do you price jobs?')).toMatchObject({ category: 'pricing' });
    expect(find(services, (f) => f.title === 'Do you offer a warranty?').category).toBe('policies');
    expect(find(page(plumbing, 'index.html'), (f) => f.title === 'How much is a service call?')).toMatchObject({
      category: 'pricing',
      content: 'It depends on location and time. We confirm pricing before dispatch to avoid surprises.',
    });
  });

  it('files customer reviews under credentials and the service area under service_area', () => {
    const about = page(plumbing, 'about.html');
    expect(find(about, (f) => f.title === '“No surprises on price.”').category).toBe('credentials');
    expect(find(about, (f) => f.title === 'Our story').category).toBe('about');
    expect(find(page(plumbing, 'index.html'), (f) => f.category === 'service_area').content).toBe('Service area: United States.');
  });

  it('drops navigation, the form and the footer chrome from content sections', () => {
    expect(all(plumbing).some((f) => /Request a Call|Quick Links|Send request|At least 7 digits/.test(f.content))).toBe(false);
  });
});

describe('wisdom-bites-dental', () => {
  it('files the FAQ page answers by topic, the rest under faq', () => {
    const faq = page(dental, 'faq.html');
    const byQuestion = (q: string): ExtractedFact => find(faq, (f) => f.title === q);
    expect(byQuestion('What insurance plans do you accept?')).toMatchObject({ category: 'payment' });
    expect(byQuestion('What insurance plans do you accept?').content).toContain('Delta Dental');
    expect(byQuestion('What payment methods do you accept?').category).toBe('payment');
    expect(byQuestion('How do I schedule an appointment?').category).toBe('booking');
    expect(byQuestion('What should I do in a dental emergency?').category).toBe('emergency');
    expect(byQuestion('When should I bring my child for their first dental visit?').category).toBe('faq');
    expect(byQuestion('What dental services do you offer?').category).toBe('services');
    // The search box's hidden "No FAQ matches found" is UI, not content.
    expect(faq.some((f) => f.title.includes('No FAQ matches'))).toBe(false);
  });

  it('finds the founding year disagreement: 2010 on the about page, 2005 in the FAQ footer', () => {
    expect(find(page(dental, 'about.html'), (f) => f.factKey === 'founded')).toMatchObject({ category: 'about', value: '2010' });
    expect(find(page(dental, 'faq.html'), (f) => f.factKey === 'founded')).toMatchObject({ category: 'about', value: '2005' });
    const founded = conflicts(all(dental)).get('founded');
    expect(founded?.get('2010')).toEqual(['https://wisdom-bites-dental.test/about.html']);
    expect(founded?.get('2005')).toEqual(['https://wisdom-bites-dental.test/faq.html']);
  });

  it('finds the hours disagreement: the about page footer says 9 to 8, the others 9 to 6', () => {
    const usual = 'mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00; sat 10:00-15:00; sun closed';
    const aboutFooter = 'mon 09:00-20:00; tue 09:00-20:00; wed 09:00-20:00; thu 09:00-20:00; fri 09:00-20:00; sat 09:00-18:00; sun closed';
    expect(find(page(dental, 'contact.html'), (f) => f.factKey === 'hours')).toMatchObject({
      category: 'hours',
      value: usual,
      content: 'Monday to Friday 9 AM to 6 PM; Saturday 10 AM to 3 PM; closed Sunday.',
    });
    // about.html says both: 9-8 in its visible footer, 9-6 in its own JSON-LD.
    expect(page(dental, 'about.html').filter((f) => f.factKey === 'hours').map((f) => f.value).sort()).toEqual([usual, aboutFooter]);
    const hours = conflicts(all(dental)).get('hours');
    expect(hours?.get(aboutFooter)).toEqual(['https://wisdom-bites-dental.test/about.html']);
    expect(hours?.get(usual)?.length).toBeGreaterThan(5);
  });

  it('finds the three addresses: Smile City avenue, Smile City street, and Kolkata', () => {
    const contact = page(dental, 'contact.html').filter((f) => f.factKey === 'address');
    expect(contact.every((f) => f.category === 'location')).toBe(true);
    expect(contact.map((f) => f.content)).toEqual(
      expect.arrayContaining(['The address is 123 Dental Avenue, Smile City, SC 12345.', 'The address is 1/4A, North Road, Poddar Nagar, Jadavpur, Kolkata, West Bengal 700032, India.']),
    );
    expect(find(page(dental, 'faq.html'), (f) => f.factKey === 'address').content).toBe('The address is 123 Dental Street, Smile City, SC 12345.');
    const addresses = conflicts(all(dental)).get('address');
    expect(addresses?.size).toBe(3);
    // JSON-LD "123 Dental Avenue … US" and the visible "123 Dental Avenue" are one address, not a conflict.
    expect([...addresses!.keys()]).toContain('123 dental ave smile city sc 12345');
  });

  it('reports the call link that dials another number than the one shown', () => {
    const values = page(dental, 'index.html').filter((f) => f.factKey === 'phone').map((f) => f.value).sort();
    expect(values).toEqual(['5551234567', '911234567890']);
  });

  it('files staff, reviews, insurance, emergencies, directions and parking prices', () => {
    const index = page(dental, 'index.html');
    expect(find(index, (f) => f.title === 'What Our Patients Say').category).toBe('credentials');
    expect(find(index, (f) => f.title === 'We Make Dental Care Affordable').category).toBe('payment');
    expect(find(index, (f) => f.title === 'Emergency Care').category).toBe('emergency');
    expect(find(page(dental, 'about.html'), (f) => f.title === 'Dr. Emily Chen').category).toBe('team');
    expect(find(page(dental, 'about.html'), (f) => f.title === 'Accessibility').category).toBe('amenities');

    const emergency = page(dental, 'services/emergency-care.html');
    expect(find(emergency, (f) => f.title === 'How quickly can I be seen for a dental emergency?').category).toBe('emergency');
    expect(find(emergency, (f) => f.title === 'How much does emergency dental care cost?').category).toBe('pricing');

    const directions = page(dental, 'directions.html');
    expect(find(directions, (f) => f.title === 'Public Transit').category).toBe('location');
    expect(find(directions, (f) => f.title === 'Price: City Center Garage (2 blocks west)')).toMatchObject({
      category: 'location',
      content: 'City Center Garage (2 blocks west): $5 per hour.',
    });
    // The local taxi firm's number is not the clinic's.
    expect(directions.some((f) => f.value === '5557890123')).toBe(false);
  });

  it('reads the general dentistry services, from the page and from its JSON-LD', () => {
    const general = page(dental, 'services/general-dentistry.html');
    expect(find(general, (f) => f.title === 'Root Canal Therapy').category).toBe('services');
    expect(find(general, (f) => f.title === 'Dental Check-up & Cleaning').content).toContain('Professional examination');
  });

  it('files the booking page under booking and its price range under pricing', () => {
    const booking = page(dental, 'booking.html');
    expect(find(booking, (f) => f.title === 'What if I need to reschedule or cancel my appointment?').category).toBe('booking');
    expect(find(page(dental, 'about.html'), (f) => f.title === 'Price range')).toMatchObject({ category: 'pricing', content: 'Price range: $$$ (on a scale from $ to $$$$).' });
  });
});
